package dev.marketdata.api;

import java.lang.reflect.Field;
import java.util.List;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests that reach no route (an unknown path, a method the API does not have, a failure in the HTTP
 * layer) get the API's JSON error envelope too, from the platform-http Vert.x router: 404 NOT_FOUND,
 * 405 METHOD_NOT_ALLOWED (with {@code Allow: GET}), 500 INTERNAL_ERROR. Never a stack trace.
 */
public final class HttpErrorPages {

    private static final Logger LOG = LoggerFactory.getLogger(HttpErrorPages.class);
    private static final String TICKER_PATH = "/api/v1/tickers/";
    private static final java.util.regex.Pattern API_PATH =
            java.util.regex.Pattern.compile("/api/v1/(tickers(/[^/]+)?|best/[^/]+|health|openapi\\.json)/?");

    private HttpErrorPages() {
    }

    public static void install(CamelContext context) {
        int port = Integer.parseInt(context.getPropertiesComponent().resolveProperty("camel.server.port").orElse("8080"));
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            router = VertxPlatformHttpRouter.lookup(context);
        }
        if (router == null) {
            LOG.warn("No platform-http router found: unknown paths will not get JSON errors");
            return;
        }
        // Camel mounts its routes on a sub-router; what none of them takes falls through to this last route.
        router.route().last().handler(rc -> {
            if (API_PATH.matcher(rc.normalizedPath()).matches() && rc.request().method() == io.vertx.core.http.HttpMethod.GET) {
                // A GET that no route took on an API path: its Accept header asks for something other than JSON.
                answer(rc, 406, "NOT_ACCEPTABLE", "answers are application/json");
            } else if (API_PATH.matcher(rc.normalizedPath()).matches()) {
                rc.response().putHeader("Allow", "GET");
                answer(rc, 405, "METHOD_NOT_ALLOWED", "the API is read-only: use GET");
            } else {
                answer(rc, 404, "NOT_FOUND", "no such endpoint");
            }
        });
        // A path that does not decode (a lone '%', '%zz', a cut UTF-8 sequence) fails in the server's outer
        // router, before any route: still the API's JSON, and on a ticker path the symbol is what is wrong.
        Router outer = outerRouter(context);
        for (Router r : outer == null ? List.<Router>of(router) : List.of(router, outer)) {
            r.errorHandler(400, rc -> {
                String path = rc.request().path();
                if (path != null && path.startsWith(TICKER_PATH)) {
                    answer(rc, 400, "INVALID_SYMBOL", "symbol must be 2-20 letters and digits, correctly percent-encoded");
                } else {
                    answer(rc, 400, "BAD_REQUEST", "the request path could not be read");
                }
            });
        }
        router.errorHandler(500, rc -> {
            if (rc.failure() != null) {
                LOG.error("HTTP layer failure on {}", rc.normalizedPath(), rc.failure());
            }
            answer(rc, 500, "INTERNAL_ERROR", "the gateway could not answer this request");
        });
    }

    /**
     * The router the HTTP server hands requests to, in front of the one Camel's routes are on. Camel 4.17 does
     * not expose it, so it is read from the server's field; if that ever fails, malformed paths keep Vert.x's
     * plain-text 400 and everything else works.
     */
    private static Router outerRouter(CamelContext context) {
        VertxPlatformHttpServer server = context.hasService(VertxPlatformHttpServer.class);
        if (server == null) {
            return null;
        }
        try {
            Field field = VertxPlatformHttpServer.class.getDeclaredField("router");
            field.setAccessible(true);
            return (Router) field.get(server);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Malformed request paths will get the HTTP server's plain 400, not JSON: {}", e.toString());
            return null;
        }
    }

    private static void answer(RoutingContext rc, int status, String code, String message) {
        if (rc.response().ended()) {
            return;
        }
        JsonObject body = new JsonObject()
                .put("success", false)
                .put("error", new JsonObject().put("code", code).put("message", message))
                .put("timestamp", System.currentTimeMillis());
        rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
