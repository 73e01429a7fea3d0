package dev.marketdata.support;

import java.util.Map;
import java.util.TreeMap;

/**
 * A Prometheus text-format scrape, keyed canonically as {@code name{label="value",...}} with labels sorted,
 * so a test can look a sample up exactly.
 */
public final class PrometheusScrape {

    private final Map<String, Double> samples = new TreeMap<>();

    public PrometheusScrape(String text) {
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name;
            Map<String, String> labels = new TreeMap<>();
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                String body = line.substring(brace + 1, line.lastIndexOf('}'));
                for (String pair : body.split(",")) {
                    if (pair.isBlank()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim().replace("\"", ""));
                }
            } else {
                name = line.substring(0, space).trim();
            }
            samples.put(key(name, labels), Double.parseDouble(line.substring(space + 1).trim()));
        }
    }

    public static String key(String name, Map<String, String> labels) {
        StringBuilder sb = new StringBuilder(name).append('{');
        new TreeMap<>(labels).forEach((k, v) -> sb.append(k).append("=\"").append(v).append("\","));
        return sb.append('}').toString();
    }

    /** The sample's value, or null when the scrape has no such sample. */
    public Double value(String name, String... labelPairs) {
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        return samples.get(key(name, labels));
    }

    public Map<String, Double> samples() {
        return samples;
    }
}
