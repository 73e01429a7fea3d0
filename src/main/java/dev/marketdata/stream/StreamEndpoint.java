package dev.marketdata.stream;

import io.vertx.ext.web.Router;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/stream} upgraded to a WebSocket on the REST port, by a route of its own on
 * the platform-http Vert.x router, ahead of Camel's routes (which would read the body first).
 */
public final class StreamEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(StreamEndpoint.class);
    public static final String PATH = "/api/v1/stream";

    private StreamEndpoint() {
    }

    public static boolean install(CamelContext context, dev.marketdata.api.TickStream stream) {
        int port = Integer.parseInt(context.getPropertiesComponent().resolveProperty("camel.server.port").orElse("8080"));
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            router = VertxPlatformHttpRouter.lookup(context);
        }
        if (router == null) {
            LOG.warn("No platform-http router: no stream endpoint");
            return false;
        }
        Router r = router;
        // The live page: one static file, no build step.
        r.route("/").order(-1000).handler(rc -> {
            if (rc.request().method() != io.vertx.core.http.HttpMethod.GET) {
                rc.next();
                return;
            }
            try (java.io.InputStream in = StreamEndpoint.class.getResourceAsStream("/public/index.html")) {
                if (in == null) {
                    rc.next();
                    return;
                }
                rc.response().putHeader("Content-Type", "text/html; charset=utf-8").end(io.vertx.core.buffer.Buffer.buffer(in.readAllBytes()));
            } catch (java.io.IOException e) {
                rc.fail(500);
            }
        });
        r.route(PATH).order(-1000).handler(rc -> {
            String upgrade = rc.request().getHeader("Upgrade");
            if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
                rc.next();
                return;
            }
            dev.marketdata.api.ApiException refusal = stream.refusal(rc.request());
            if (refusal != null) {
                rc.response().setStatusCode(refusal.status()).putHeader("Content-Type", "application/json")
                        .end("{\"success\":false,\"error\":{\"code\":\"" + refusal.code() + "\",\"message\":"
                                + io.vertx.core.json.Json.encode(refusal.getMessage()) + "},\"timestamp\":"
                                + System.currentTimeMillis() + "}");
                return;
            }
            // What Vert.x's handshake would refuse with a bare 400 (and a WARN each): refused in the API's envelope.
            String key = rc.request().getHeader("Sec-WebSocket-Key");
            String connection = rc.request().getHeader("Connection");
            if (key == null || key.isBlank() || !"13".equals(rc.request().getHeader("Sec-WebSocket-Version"))
                    || connection == null || !connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade")) {
                rc.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                        .end("{\"success\":false,\"error\":{\"code\":\"BAD_REQUEST\",\"message\":\"not a WebSocket upgrade: "
                                + "Connection: Upgrade, Sec-WebSocket-Key and Sec-WebSocket-Version: 13 are required\"},\"timestamp\":"
                                + System.currentTimeMillis() + "}");
                return;
            }
            io.vertx.core.http.HttpConnection tcp = rc.request().connection();
            rc.request().toWebSocket().onSuccess(ws -> stream.accept(ws, tcp::close))
                    .onFailure(e -> LOG.debug("stream upgrade failed: {}", e.toString()));
        });
        return true;
    }
}
