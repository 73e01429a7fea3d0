package dev.marketdata;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import dev.marketdata.cluster.RedisConnectBudget;
import dev.marketdata.model.ProxySpec;
import dev.marketdata.pipeline.Failures;
import org.apache.camel.CamelContext;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Checks that stop start-up where running makes no sense, before Camel starts anything: a port another
 * process holds (probes and clients would reach that process while this one wrote Redis), and a Redis that
 * refuses the credentials or a command the gateway needs (nothing would ever be written). Each ends as a
 * configuration error: exit code 2 and one line naming the property. Redis merely unreachable is not one of
 * them (nor are sentinels that do not answer): the gateway retries.
 */
final class StartupChecks {

    /**
     * Every command the gateway runs, on keys of its own namespace, from a script as the writer does: ACLs
     * check each command a script calls. The keys cannot be a symbol's (symbols are letters and digits).
     */
    private static final byte[] PERMISSION_PROBE = """
            redis.call('SET', KEYS[1], '1', 'PX', 1000, 'NX')
            redis.call('GET', KEYS[1])
            redis.call('MGET', KEYS[1], KEYS[2])
            redis.call('HSET', KEYS[2], 'probe', '1')
            redis.call('HMGET', KEYS[2], 'probe')
            redis.call('EXPIRE', KEYS[2], 1)
            redis.call('TYPE', KEYS[2])
            redis.call('DEL', KEYS[1], KEYS[2])
            return 1
            """.getBytes(StandardCharsets.UTF_8);

    private StartupChecks() {
    }

    /** @param property the property that set the port, for the message */
    static void requireFreePort(String host, int port, String property) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            // As Vert.x binds: a port left in TIME_WAIT by a previous run is free, one with a listener is not.
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException | SecurityException | IllegalArgumentException e) {
            String why = String.valueOf(e.getMessage());
            if (why.contains("Cannot assign requested address") || why.contains("Unresolved")) {
                String hostProperty = property.replace(".port", ".host");
                throw new IllegalArgumentException("Invalid " + hostProperty + " '" + host + "': no interface of this "
                        + "machine has that address (" + why + ")");
            }
            throw new IllegalArgumentException("Invalid " + property + " '" + port + "': cannot listen on " + host + ":"
                    + port + " (" + why + "); another process holds it, or set another " + property);
        }
    }

    static void requireUsableRedis(StringRedisTemplate redis) {
        try {
            redis.execute(connection -> connection.ping(), true);
            redis.execute((RedisCallback<Object>) connection -> connection.scriptingCommands().eval(PERMISSION_PROBE,
                    ReturnType.INTEGER, 2, bytes("tick:latest:_startup_probe_"), bytes("tick:seq:_startup_probe_")));
            // The writer loads its script once and names it by its SHA-1 after that.
            redis.execute((RedisCallback<Object>) connection -> connection.scriptingCommands().evalSha(
                    connection.scriptingCommands().scriptLoad(PERMISSION_PROBE), ReturnType.INTEGER, 2,
                    bytes("tick:latest:_startup_probe_"), bytes("tick:seq:_startup_probe_")));
        } catch (RuntimeException e) {
            // A sentinel setting that cannot work (no sentinel knows the master's name, they refuse their password)
            // is named as such, not taken for the master's credentials.
            IllegalArgumentException sentinel = RedisConnections.settingProblem(e);
            if (sentinel != null) {
                throw sentinel;
            }
            Failures.Refusal refusal = Failures.redisRefusal(e);
            if (refusal != null) {
                throw refusal.atStartUp();
            }
            // Unreachable for now (Redis, or every sentinel): the store retries with backoff and the API answers without Redis meanwhile.
        }
    }

    /**
     * The connect budget shared through Redis, booked and refused once on a probe key: a user the ACL lets write the
     * ticks' keys but not {@code connect:budget:*} would run, but never with the budget shared. Unreachable is an
     * outage here too: every connect asks again.
     */
    static void requireUsableConnectBudget(RedisConnectBudget budget) {
        try {
            budget.probe();
        } catch (RuntimeException e) {
            Failures.Refusal refusal = Failures.redisRefusal(e);
            // Refused credentials are the ticks' check's to report, which runs first.
            if (refusal != null && refusal.permission()) {
                throw new IllegalArgumentException("Invalid redis.username: the Redis user may not run a command the "
                        + "shared connect budget needs (" + refusal.words() + "); grant it " + RedisConnectBudget.REQUIRED_COMMANDS
                        + " on " + RedisConnectBudget.KEY_PREFIX + "*");
            }
        }
    }

    /** {@code quality.alert.uri}, when set, must name an endpoint of a component the jar has. */
    static void requireAlertEndpoint(CamelContext context) {
        String uri = context.getPropertiesComponent().resolveProperty("quality.alert.uri").orElse("").trim();
        if (uri.isEmpty()) {
            return;
        }
        try {
            context.getEndpoint(uri);
        } catch (RuntimeException e) {
            String scheme = uri.contains(":") ? uri.substring(0, uri.indexOf(':')) : uri;
            throw new IllegalArgumentException("Invalid quality.alert.uri '" + ProxySpec.mask(uri) + "': no Camel endpoint "
                    + "of that kind in this build (the '" + scheme + "' component is not in the jar, or the URI is not "
                    + "one of its endpoints)");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
