package dev.marketdata;

import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Which connect budget this instance shares ({@code cluster.egress}): the instances on one Redis that give the same
 * egress name count their connects to each venue together, as the venue counts the connects from one address.
 */
final class ConnectBudgetSettings {

    static final String DEFAULT_EGRESS = "default";
    /** Part of a Redis key ({@code connect:budget:<venue>:<egress>}): no ':' or '@', which separate its parts. */
    private static final Pattern EGRESS = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private ConnectBudgetSettings() {
    }

    /** The egress name; {@code default} when unset or blank. */
    static String egress(Function<String, String> property) {
        String egress = GatewaySettings.text(property, "cluster.egress", DEFAULT_EGRESS);
        if (egress.isEmpty()) {
            return DEFAULT_EGRESS;
        }
        if (!EGRESS.matcher(egress).matches()) {
            throw GatewaySettings.invalid("cluster.egress", property.apply("cluster.egress"), "must be 1 to 64 letters, digits, "
                    + "'.', '_' or '-': one name for the public address this instance's connections leave from, the same "
                    + "on every instance behind that address (nat-eu-1, 203.0.113.7)");
        }
        return egress;
    }
}
