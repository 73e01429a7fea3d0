package dev.marketdata.exchange.binance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Recognises Binance's {@code serverShutdown} event, bare or inside a combined-stream wrapper. */
final class ServerShutdown {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServerShutdown() {
    }

    static boolean is(String frame) {
        try {
            JsonNode root = JSON.readTree(frame);
            if (root == null || !root.isObject()) {
                return false;
            }
            JsonNode data = root.has("data") ? root.get("data") : root;
            return "serverShutdown".equals(data.path("e").asText()) || "serverShutdown".equals(root.path("e").asText());
        } catch (Exception e) {
            return false;
        }
    }
}
