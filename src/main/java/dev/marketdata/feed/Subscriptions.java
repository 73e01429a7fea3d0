package dev.marketdata.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/** Cutting a list of subscription arguments into groups under a venue's count and size limits. */
public final class Subscriptions {

    private Subscriptions() {
    }

    /**
     * Groups in order, each at most {@code maxCount} items and at most {@code maxSize} in the sum of
     * {@code size} (an item larger than {@code maxSize} still gets a group of its own).
     */
    public static <T> List<List<T>> split(List<T> items, int maxCount, int maxSize, ToIntFunction<T> size) {
        List<List<T>> groups = new ArrayList<>();
        List<T> group = new ArrayList<>();
        int used = 0;
        for (T item : items) {
            int n = size.applyAsInt(item);
            if (!group.isEmpty() && (group.size() >= maxCount || used + n > maxSize)) {
                groups.add(group);
                group = new ArrayList<>();
                used = 0;
            }
            group.add(item);
            used += n;
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper REPLIES = new com.fasterxml.jackson.databind.ObjectMapper();

    /** A venue's reply to a request, parsed; null when it is not a JSON object. */
    public static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            com.fasterxml.jackson.databind.JsonNode root = REPLIES.readTree(text);
            return root != null && root.isObject() ? root : null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    /** A JSON string literal of a venue id or channel name (letters, digits, '-', '.', '_' only, by validation). */
    public static String quoted(String text) {
        return "\"" + text + "\"";
    }
}
