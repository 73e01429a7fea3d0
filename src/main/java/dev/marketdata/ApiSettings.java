package dev.marketdata;

import java.math.BigDecimal;
import java.util.Map;
import java.util.function.Function;

/**
 * The REST API's and the operators' HTTP servers, the threads they run on, and the reference prices of mock
 * entries per followed key ({@code camel.server.*}, {@code camel.management.*}, {@code api.*},
 * {@code mock.price.*}).
 */
public record ApiSettings(String serverHost, int serverPort, String managementHost, int managementPort,
        int workerThreads, Map<String, BigDecimal> mockPrices) {

    static ApiSettings from(Function<String, String> property, Map<String, BigDecimal> mockPrices) {
        int serverPort = GatewaySettings.integer(property, "camel.server.port", 8081, 0, 65535);
        String serverHost = GatewaySettings.text(property, "camel.server.host", "0.0.0.0");
        int managementPort = GatewaySettings.integer(property, "camel.management.port", serverPort, 0, 65535);
        String managementHost = GatewaySettings.text(property, "camel.management.host", "0.0.0.0");
        int workerThreads = GatewaySettings.integer(property, "api.worker-threads",
                2 * Runtime.getRuntime().availableProcessors(), 1, 256);
        return new ApiSettings(serverHost, serverPort, managementHost, managementPort, workerThreads, Map.copyOf(mockPrices));
    }
}
