package dev.marketdata;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import dev.marketdata.pipeline.Failures;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Checks that stop start-up where running makes no sense, before Camel starts anything: a REST port that
 * another process holds (probes and clients would reach that process while this one wrote Redis), and
 * credentials Redis refuses (nothing would ever be written). Both end as a configuration error: exit code 2
 * and one line naming the property. Redis merely unreachable is not one of them: the gateway retries.
 */
final class StartupChecks {

    private StartupChecks() {
    }

    static void requireFreePort(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            // As Vert.x binds: a port left in TIME_WAIT by a previous run is free, one with a listener is not.
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException | SecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid camel.server.port '" + port + "': cannot listen on " + host + ":"
                    + port + " (" + e.getMessage() + "); another process holds it, or set camel.server.host / "
                    + "camel.server.port");
        }
    }

    static void requireAcceptedCredentials(StringRedisTemplate redis) {
        try {
            redis.execute(connection -> connection.ping(), true);
        } catch (RuntimeException e) {
            String auth = Failures.authenticationProblem(e);
            if (auth != null) {
                throw Failures.credentialsRefused(auth);
            }
            // Unreachable for now: the store retries with backoff and the API answers without Redis meanwhile.
        }
    }
}
