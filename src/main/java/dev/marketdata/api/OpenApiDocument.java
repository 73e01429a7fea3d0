package dev.marketdata.api;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.openapi.RestOpenApiProcessor;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3 document Camel's REST DSL makes of the API
 * (camel-openapi-java), served like every other answer: no query parameters, no request header echoed, JSON
 * errors. Camel's own api-context route copies every request header and query parameter into its response
 * headers, so it is not used; its processor renders the document once, into an exchange of its own. Two
 * corrections are made to what it renders: {@code servers} is the relative {@code /} (it would name the bind
 * address, such as {@code http://0.0.0.0}), and a nullable field with an enumeration lists {@code null}, as
 * OpenAPI 3.0 requires.
 */
public class OpenApiDocument {

    public static final String BEAN = "openApiDocument";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiResponses responses;
    private volatile String document;

    public OpenApiDocument(ApiResponses responses) {
        this.responses = responses;
    }

    public void serve(Exchange exchange) throws Exception {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        if (query != null && !query.isEmpty()) {
            throw new ApiException(400, "UNKNOWN_PARAMETER", "this endpoint takes no query parameters");
        }
        String text = document;
        if (text == null) {
            text = render(exchange.getContext());
            document = text;
        }
        responses.text(exchange, 200, text);
    }

    static String render(CamelContext context) throws Exception {
        Map<String, Object> properties = new HashMap<>();
        if (context.getRestConfiguration().getApiProperties() != null) {
            properties.putAll(context.getRestConfiguration().getApiProperties());
        }
        RestOpenApiProcessor processor = new RestOpenApiProcessor(properties, context.getRestConfiguration());
        processor.setCamelContext(context);
        ServiceHelper.startService(processor);
        try {
            Exchange internal = new DefaultExchange(context);
            internal.getMessage().setHeader("Accept", "application/json");
            processor.process(internal);
            return corrected(internal.getMessage().getBody(String.class));
        } finally {
            ServiceHelper.stopService(processor);
        }
    }

    private static String corrected(String rendered) throws Exception {
        ObjectNode document = (ObjectNode) JSON.readTree(rendered);
        ArrayNode servers = JSON.createArrayNode();
        servers.addObject().put("url", "/");
        document.set("servers", servers);
        JsonNode schemas = document.path("components").path("schemas");
        schemas.forEach(schema -> schema.path("properties").forEach(property -> {
            if (property.path("nullable").asBoolean(false) && property.get("enum") instanceof ArrayNode values
                    && !containsNull(values)) {
                values.addNull();
            }
        }));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document);
    }

    private static boolean containsNull(ArrayNode values) {
        for (JsonNode value : values) {
            if (value.isNull()) {
                return true;
            }
        }
        return false;
    }
}
