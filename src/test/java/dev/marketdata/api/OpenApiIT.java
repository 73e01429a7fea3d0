package dev.marketdata.api;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;

/**
 * The API's OpenAPI 3 document, as Camel's REST DSL makes it, describes every field of every answer; and the
 * real answers (live and mock entries, errors, health) are each valid against the schema the document gives
 * for their path and status: every required field there, no field it does not know, every value of its type,
 * pattern and enumeration.
 */
public class OpenApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDocumentDescribesEveryFieldAndRealAnswersFollowIt() throws Exception {
        TestRedis.flush();
        // DOGEUSDT is not in the demo recording: its entry is a mock.
        try (RunningGateway gateway = RunningGateway.start(Map.of("replay.file", Path.of("demo", "binance-demo.ndjson").toString(),
                "replay.speed", "0", "binance.symbols", "BTCUSDT,ETHUSDT,SOLUSDT,DOGEUSDT"))) {
            await("the replay stored BTCUSDT", Duration.ofSeconds(30),
                    () -> gateway.status("/api/v1/tickers/BTCUSDT") == 200 && live(gateway, "/api/v1/tickers/BTCUSDT"));
            HttpResponse<String> doc = gateway.send("/api/v1/openapi.json");
            assertEquals(200, doc.statusCode());
            JsonNode api = JSON.readTree(doc.body());
            assertEquals("3.0.0", api.get("openapi").asText());
            assertEquals(new TreeSet<>(List.of("/api/v1/tickers", "/api/v1/tickers/{symbol}", "/api/v1/health",
                    "/api/v1/openapi.json", "/api/v1/best/{symbol}")), names(api.get("paths")));
            // Relative to where it is served, not the bind address; a nullable enumeration lists null (OpenAPI 3.0).
            assertEquals("[{\"url\":\"/\"}]", api.get("servers").toString());
            assertEquals("[\"bookTicker\",\"ticker\",\"miniTicker\",null]",
                    api.at("/components/schemas/TickerEntry/properties/stream/enum").toString());
            // Served like every answer: nothing the client sent comes back as a header; query parameters refused.
            HttpResponse<String> echoed = gateway.send("/api/v1/openapi.json", Map.of("X-Evil", "1"));
            assertEquals(200, echoed.statusCode());
            assertEquals(java.util.Optional.empty(), echoed.headers().firstValue("X-Evil"));
            check(gateway, new Validator(api), "/api/v1/openapi.json", "/api/v1/openapi.json?Set-Cookie=x", 400);
            assertEquals(java.util.Optional.empty(), gateway.send("/api/v1/openapi.json?Set-Cookie=x").headers().firstValue("Set-Cookie"));
            List<String> undescribed = new ArrayList<>();
            api.get("components").get("schemas").fields().forEachRemaining(schema -> schema.getValue().path("properties")
                    .fields().forEachRemaining(p -> {
                        if (p.getValue().path("description").asText().isBlank() && !p.getValue().has("$ref")) {
                            undescribed.add(schema.getKey() + "." + p.getKey());
                        }
                    }));
            assertEquals(List.of(), undescribed);
            // The document's entry is the contract's entry: the same fields in the same order.
            List<String> documented = new ArrayList<>();
            api.get("components").get("schemas").get("TickerEntry").get("properties").fieldNames().forEachRemaining(documented::add);
            assertEquals(JsonContractIT.ENTRY_FIELDS, documented);

            Validator validator = new Validator(api);
            JsonNode all = check(gateway, validator, "/api/v1/tickers", "/api/v1/tickers", 200);
            assertEquals(List.of(false, false, false, true), List.of(all.get("data").get(0).get("_mock").asBoolean(),
                    all.get("data").get(1).get("_mock").asBoolean(), all.get("data").get(2).get("_mock").asBoolean(),
                    all.get("data").get(3).get("_mock").asBoolean()));
            check(gateway, validator, "/api/v1/tickers/{symbol}", "/api/v1/tickers/btcusdt", 200);
            check(gateway, validator, "/api/v1/tickers/{symbol}", "/api/v1/tickers/DOGEUSDT", 200);
            check(gateway, validator, "/api/v1/tickers/{symbol}", "/api/v1/tickers/NOT*VALID", 400);
            check(gateway, validator, "/api/v1/tickers/{symbol}", "/api/v1/tickers/XRPUSDT", 404);
            check(gateway, validator, "/api/v1/tickers", "/api/v1/tickers?limit=5", 400);
            check(gateway, validator, "/api/v1/tickers", "/api/v1/tickers?exchange=binance", 200);
            check(gateway, validator, "/api/v1/tickers", "/api/v1/tickers?exchange=okx", 400);
            check(gateway, validator, "/api/v1/tickers/{symbol}", "/api/v1/tickers/BTC-USDT?exchange=binance", 200);
            // The replay's ticks are old by now (received when replayed, fresher than 30 s) or not: either answer fits.
            JsonNode best = check(gateway, validator, "/api/v1/best/{symbol}", "/api/v1/best/BTC-USDT", 200);
            assertEquals("BTC-USDT", best.at("/data/symbol").asText());
            JsonNode none = check(gateway, validator, "/api/v1/best/{symbol}", "/api/v1/best/DOGEUSDT", 200);
            assertEquals("null", none.at("/data/bid").toString());
            assertEquals("[{\"exchange\":\"binance\",\"symbol\":\"DOGEUSDT\",\"reason\":\"cache_miss\"}]",
                    none.at("/data/excluded").toString());
            check(gateway, validator, "/api/v1/best/{symbol}", "/api/v1/best/XRP-USDT", 404);
            check(gateway, validator, "/api/v1/best/{symbol}", "/api/v1/best/NOT*VALID", 400);
            check(gateway, validator, "/api/v1/best/{symbol}", "/api/v1/best/BTC-USDT?exchange=binance", 400);
            check(gateway, validator, "/api/v1/health", "/api/v1/health", 200);
            check(gateway, validator, "/api/v1/health", "/api/v1/health?verbose=1", 400);
            // A GET that accepts no JSON: 406 in the envelope, not a 405 that says to use GET.
            HttpResponse<String> html = gateway.send("/api/v1/tickers", Map.of("Accept", "text/html"));
            assertEquals(406, html.statusCode());
            assertEquals("NOT_ACCEPTABLE", JSON.readTree(html.body()).at("/error/code").asText());
            // The validator is not a yes-man: a wrong type, a missing field and an unknown one are each caught.
            JsonNode entry = all.get("data").get(0);
            assertTrue(!validator.errors(schemaOf(api, "/api/v1/tickers", 200),
                    JSON.readTree(all.toString().replace("\"_mock\":false", "\"_mock\":\"no\""))).isEmpty());
            assertTrue(!validator.errors(validator.resolve(schemaOf(api, "/api/v1/tickers", 200)).get("properties").get("data")
                    .get("items"), ((com.fasterxml.jackson.databind.node.ObjectNode) entry.deepCopy()).without("price")).isEmpty());
            assertTrue(!validator.errors(validator.resolve(schemaOf(api, "/api/v1/tickers", 200)).get("properties").get("data")
                    .get("items"), ((com.fasterxml.jackson.databind.node.ObjectNode) entry.deepCopy()).put("extra", 1)).isEmpty());
        }
    }

    private static boolean live(RunningGateway gateway, String path) {
        try {
            return !gateway.getJson(path).get("data").get(0).get("_mock").asBoolean();
        } catch (Exception e) {
            return false;
        }
    }

    private static JsonNode check(RunningGateway gateway, Validator validator, String apiPath, String path, int status)
            throws Exception {
        HttpResponse<String> response = gateway.send(path);
        assertEquals(status, response.statusCode(), path);
        JsonNode body = JSON.readTree(response.body());
        assertEquals(List.of(), validator.errors(schemaOf(validator.api, apiPath, status), body), path + ": " + body);
        return body;
    }

    /** The schema the document gives for a path's answer with that status. */
    public static JsonNode schemaOf(JsonNode api, String apiPath, int status) {
        JsonNode schema = api.get("paths").get(apiPath).get("get").get("responses").get(String.valueOf(status))
                .get("content").get("application/json").get("schema");
        assertTrue(schema != null, apiPath + " " + status + " has no schema");
        return schema;
    }

    private static TreeSet<String> names(JsonNode object) {
        TreeSet<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The OpenAPI 3.0 schema rules the document uses: $ref, type, nullable, required, properties, items, enum, pattern, minimum. */
    public static final class Validator {
        final JsonNode api;

        public Validator(JsonNode api) {
            this.api = api;
        }

        public JsonNode resolve(JsonNode schema) {
            while (schema.has("$ref")) {
                String ref = schema.get("$ref").asText();
                schema = api.get("components").get("schemas").get(ref.substring(ref.lastIndexOf('/') + 1));
            }
            return schema;
        }

        public List<String> errors(JsonNode schema, JsonNode value) {
            List<String> errors = new ArrayList<>();
            check(resolve(schema), value, "$", errors);
            return errors;
        }

        private void check(JsonNode schema, JsonNode value, String at, List<String> errors) {
            schema = resolve(schema);
            if (value == null || value.isNull()) {
                if (!schema.path("nullable").asBoolean(false)) {
                    errors.add(at + " is null");
                }
                return;
            }
            String type = schema.path("type").asText("object");
            boolean fits = switch (type) {
                case "string" -> value.isTextual();
                case "integer" -> value.isIntegralNumber();
                case "number" -> value.isNumber();
                case "boolean" -> value.isBoolean();
                case "array" -> value.isArray();
                default -> value.isObject();
            };
            if (!fits) {
                errors.add(at + " is not " + type + ": " + value);
                return;
            }
            if (schema.has("enum")) {
                boolean listed = false;
                for (JsonNode allowed : schema.get("enum")) {
                    listed |= allowed.equals(value) || allowed.asText().equals(value.asText());
                }
                if (!listed) {
                    errors.add(at + " is not one of " + schema.get("enum") + ": " + value);
                }
            }
            if (schema.has("pattern") && !value.asText().matches(schema.get("pattern").asText())) {
                errors.add(at + " does not match " + schema.get("pattern").asText() + ": " + value);
            }
            if (schema.has("minimum") && value.isNumber()
                    && value.decimalValue().compareTo(new BigDecimal(schema.get("minimum").asText())) < 0) {
                errors.add(at + " is below " + schema.get("minimum").asText());
            }
            if (type.equals("array")) {
                for (int i = 0; i < value.size(); i++) {
                    check(schema.get("items"), value.get(i), at + "[" + i + "]", errors);
                }
            } else if (type.equals("object")) {
                JsonNode properties = schema.get("properties");
                for (JsonNode required : schema.path("required")) {
                    if (!value.has(required.asText())) {
                        errors.add(at + " lacks " + required.asText());
                    }
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> field = it.next();
                    JsonNode fieldSchema = properties == null ? schema.get("additionalProperties") : properties.get(field.getKey());
                    if (fieldSchema == null || fieldSchema.isBoolean()) {
                        errors.add(at + " has a field the document does not know: " + field.getKey());
                    } else {
                        check(fieldSchema, field.getValue(), at + "." + field.getKey(), errors);
                    }
                }
            }
        }
    }
}
