package dev.marketdata.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the API's JSON envelopes: {@code {success, data, timestamp}} for answers and
 * {@code {success:false, error:{code,message}, timestamp}} for errors. An unexpected failure becomes a
 * 500 with a generic message; the exception is logged here and never shown to the client.
 */
public class ApiResponses {

    public static final String BEAN = "apiResponses";
    private static final Logger LOG = LoggerFactory.getLogger(ApiResponses.class);

    private final ObjectMapper json = new ObjectMapper();
    private final LongSupplier clock;
    private final ApiMetrics metrics;

    public ApiResponses(LongSupplier clock, ApiMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
    }

    public void tickers(TickerLookup lookup, Exchange exchange) {
        write(exchange, 200, envelope(true, "data", lookup.entries()));
    }

    public void data(Object data, Exchange exchange, int status) {
        write(exchange, status, envelope(true, "data", data));
    }

    /** An answer that is a failure but still carries data (health when unhealthy): the error, then the data. */
    public void failure(Exchange exchange, int status, String code, String message, Object data) {
        Map<String, Object> body = errorEnvelope(code, message);
        Object timestamp = body.remove("timestamp");
        body.put("data", data);
        body.put("timestamp", timestamp);
        write(exchange, status, body);
    }

    public void error(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof ApiException api) {
            write(exchange, api.status(), errorEnvelope(api.code(), api.getMessage()));
            return;
        }
        LOG.error("Unexpected failure answering {}", exchange.getMessage().getHeader(Exchange.HTTP_URI), cause);
        write(exchange, 500, errorEnvelope("INTERNAL_ERROR", "the gateway could not answer this request"));
    }

    /** get-tickers → tickers, get-ticker → ticker, get-health → health (the REST DSL inlines these routes). */
    private static String endpoint(String routeId) {
        if (routeId == null) {
            return "other";
        }
        return routeId.startsWith("get-") ? routeId.substring("get-".length()) : routeId;
    }

    private Map<String, Object> errorEnvelope(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        return envelope(false, "error", error);
    }

    private Map<String, Object> envelope(boolean success, String field, Object value) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", success);
        body.put(field, value);
        body.put("timestamp", clock.getAsLong());
        return body;
    }

    private void write(Exchange exchange, int status, Map<String, Object> body) {
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            status = 500;
            text = "{\"success\":false,\"error\":{\"code\":\"INTERNAL_ERROR\",\"message\":\"response could not be written\"}}";
        }
        text(exchange, status, text);
    }

    /**
     * Answers with JSON text as it is: every header of the request is dropped first, so that nothing a client
     * sent (a query parameter, a header) is echoed back as a response header.
     */
    public void text(Exchange exchange, int status, String text) {
        metrics.request(endpoint(exchange.getFromRouteId()), status);
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(text);
    }
}
