package dev.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * No package of the gateway depends on one that depends back on it: the venues' packages, the shared
 * connection lifecycle ({@code feed}), the pipeline and the API form layers, read from the sources.
 */
class PackageCyclesTest {

    private static final Path SOURCES = Path.of("src", "main", "java", "dev", "marketdata");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.marketdata\\.((?:[a-z]+\\.)*)[A-Z]");

    @Test
    void thePackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = SOURCES.relativize(file.getParent()).toString().replace(file.getFileSystem().getSeparator(), ".");
                Set<String> to = uses.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(file));
                while (m.find()) {
                    String target = m.group(1).isEmpty() ? "" : m.group(1).substring(0, m.group(1).length() - 1);
                    if (!target.equals(from)) {
                        to.add(target);
                    }
                }
            }
        }
        assertTrue(uses.containsKey("exchange.okx") && uses.get("exchange.okx").contains("feed"), "read the packages: " + uses);
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            find(start, start, uses, new ArrayList<>(List.of(start)), cycles);
        }
        assertEquals(List.of(), cycles, "package cycles (\"\" is dev.marketdata itself)");
    }

    private static void find(String start, String at, Map<String, Set<String>> uses, List<String> path, List<String> cycles) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                // Each cycle is reported once, from its smallest package.
                path.add(next);
                find(start, next, uses, path, cycles);
                path.remove(path.size() - 1);
            }
        }
    }
}
