package dev.marketdata.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.marketdata.model.Venue;
import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which venues this instance ingests. Each venue's ingest route ({@code <venue>-ingest}, and {@code replay}, which
 * stands in for Binance) gets Camel's {@link ClusteredRoutePolicy} on the namespace {@code market-data-<venue>} of
 * the cluster service: the route runs only on the instance that leads that namespace, so each venue is ingested
 * once however many instances run, and two instances can lead different venues. Without a cluster service this
 * instance leads every venue and no policy is added.
 *
 * <p>Stopping hands over at once: the led ingest routes stop first (so the venue never sees two connections of
 * ours), then the cluster service releases its leadership (camel-file truncates its heartbeat file and releases
 * the lock), so another instance takes over at its next check instead of waiting for the lease to expire.
 */
public final class VenueLeadership implements RoutePolicyFactory, ClusterWatch.Leads {

    public static final String NAMESPACE_PREFIX = "market-data-";
    private static final Logger LOG = LoggerFactory.getLogger(VenueLeadership.class);

    private final CamelClusterService service;
    private final Map<String, ClusteredRoutePolicy> policies = new ConcurrentHashMap<>();
    private final Map<String, List<String>> routes = new ConcurrentHashMap<>();
    private volatile boolean handedOver;

    /** @param service the cluster service, or null for a single instance that leads every venue */
    public VenueLeadership(CamelClusterService service) {
        this.service = service;
    }

    @Override
    public boolean clustered() {
        return service != null;
    }

    /** The venue a route ingests, or null for a route that is not an ingest route. */
    static String venueOf(String routeId) {
        if ("replay".equals(routeId)) {
            return Venue.BINANCE.id();
        }
        if (routeId != null && routeId.endsWith("-ingest")) {
            String id = routeId.substring(0, routeId.length() - "-ingest".length());
            for (Venue venue : Venue.values()) {
                if (venue.id().equals(id)) {
                    return id;
                }
            }
        }
        return null;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        String venue = venueOf(routeId);
        if (service == null || venue == null || !startsWithContext(camelContext, route)) {
            // A venue that is not enabled is led by nobody: no instance should hold its lock or say it leads it.
            return null;
        }
        routes.computeIfAbsent(venue, v -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(routeId);
        // One policy per venue, shared by its routes (Binance's live route and a replay beside it lead together).
        return policies.computeIfAbsent(venue, v -> {
            try {
                ClusteredRoutePolicy policy = ClusteredRoutePolicy.forNamespace(service, NAMESPACE_PREFIX + v);
                policy.setCamelContext(camelContext);
                return policy;
            } catch (Exception e) {
                throw new IllegalStateException("cannot create the leadership policy of " + v, e);
            }
        });
    }

    private static boolean startsWithContext(CamelContext context, NamedNode route) {
        if (route instanceof org.apache.camel.model.RouteDefinition definition && definition.getAutoStartup() != null) {
            return Boolean.parseBoolean(context.resolvePropertyPlaceholders(definition.getAutoStartup()).trim());
        }
        return true;
    }

    /** True when this instance ingests the venue now (always without a cluster service). */
    @Override
    public boolean leads(String venue) {
        if (service == null) {
            return true;
        }
        if (handedOver) {
            // Released while stopping: the policy is told nothing by a stopped service, so it would still say leader.
            return false;
        }
        ClusteredRoutePolicy policy = policies.get(venue);
        return policy != null && policy.isLeader();
    }

    /** Hands leadership over when the context begins to stop, before anything else stops. */
    public void handOverOnStop(CamelContext context) {
        if (service == null) {
            return;
        }
        context.getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                handOver(context);
            }
        });
    }

    void handOver(CamelContext context) {
        List<String> led = new ArrayList<>();
        routes.forEach((venue, ids) -> {
            if (leads(venue)) {
                led.add(venue);
                for (String id : ids) {
                    try {
                        if (context.getRouteController().getRouteStatus(id).isStoppable()) {
                            context.getRouteController().stopRoute(id, 5, TimeUnit.SECONDS);
                        }
                    } catch (Exception e) {
                        LOG.warn("Stopping {} before handing {} over failed: {}", id, venue, e.toString());
                    }
                }
            }
        });
        handedOver = true;
        try {
            service.stop();
            if (!led.isEmpty()) {
                LOG.info("Stopping: leadership of {} released for another instance to take over", led);
            }
        } catch (RuntimeException e) {
            LOG.warn("Releasing leadership failed ({}); another instance takes over when the lease expires", e.toString());
        }
    }
}
