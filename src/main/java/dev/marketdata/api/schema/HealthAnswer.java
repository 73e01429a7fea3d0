package dev.marketdata.api.schema;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * {@code {"success":true,"data":{...},"timestamp":ms}}; when unhealthy (503),
 * {@code {"success":false,"error":{...},"data":{...},"timestamp":ms}}.
 */
@Schema(name = "HealthAnswer", description = "The gateway's health with every component's detail; unhealthy (Redis and"
        + " every venue away) is a failure that still carries the detail", requiredProperties = { "success", "data", "timestamp" })
public class HealthAnswer {

    @Schema(description = "false only when unhealthy")
    public boolean success;
    @Schema(description = "Only when unhealthy: code UNHEALTHY")
    public ErrorAnswer.ErrorDetail error;
    @Schema(description = "The health")
    public Health data;
    @Schema(description = "When the answer was made, ms since the epoch")
    public long timestamp;

    @Schema(name = "Health", requiredProperties = { "status", "version", "redis", "feed", "feeds", "freshness", "alerts", "alerts_count", "config", "stream", "cluster" })
    public static class Health {
        @Schema(description = "healthy; degraded (a venue or freshness down, or Redis down with a venue up); unhealthy (Redis and every venue down)",
                allowableValues = { "healthy", "degraded", "unhealthy" })
        public String status;
        @Schema(description = "The gateway's version")
        public String version;
        @Schema(description = "Redis")
        public Redis redis;
        @Schema(description = "The first venue whose feed is down, else the first venue's (with one venue, its feed)")
        public Feed feed;
        @Schema(description = "Every enabled venue's feed, by exchange id, in the order of the exchanges property")
        public Map<String, Feed> feeds;
        @Schema(description = "Whether every symbol had a tick within quality.stale.seconds")
        public Freshness freshness;
        @Schema(description = "Active data-quality alerts, at most 50: symbol to what is wrong")
        public Map<String, String> alerts;
        @JsonProperty("alerts_count")
        @Schema(description = "How many alerts are active (all of them, listed or not)", minimum = "0")
        public int alertsCount;
        @Schema(description = "The running configuration: its generation, and whether the file says the same")
        public Config config;
        @Schema(description = "The push API (/api/v1/stream)")
        public Stream stream;
        @Schema(description = "Running several instances: which venues this one ingests, and who leads each")
        public Cluster cluster;
    }

    @Schema(name = "ClusterHealth", requiredProperties = { "service", "instance", "leads", "leaders" })
    public static class Cluster {
        @Schema(description = "The cluster service electing each venue's leader (cluster.service)",
                allowableValues = { "none", "file", "kubernetes", "zookeeper" })
        public String service;
        @Schema(description = "This instance's name (cluster.instance-id)")
        public String instance;
        @Schema(description = "The venues this instance leads, so ingests (every enabled venue with service none)")
        public java.util.List<String> leads;
        @Schema(description = "Every enabled venue's leader as it announced itself in Redis; null while none does")
        public Map<String, String> leaders;
    }

    @Schema(name = "StreamHealth", requiredProperties = { "clients", "subscriptions", "redis_subscribed", "messages_sent",
            "conflated", "dropped_slow" })
    public static class Stream {
        @Schema(description = "Clients connected", minimum = "0")
        public int clients;
        @Schema(description = "Their subscriptions, tickers and best prices", minimum = "0")
        public int subscriptions;
        @JsonProperty("redis_subscribed")
        @Schema(description = "Whether this instance receives the ticks every gateway stores (Redis pub/sub)")
        public boolean redisSubscribed;
        @JsonProperty("messages_sent")
        @Schema(description = "Messages pushed since start", minimum = "0")
        public long messagesSent;
        @Schema(description = "Ticks replaced by a newer one before a slow client read them", minimum = "0")
        public long conflated;
        @JsonProperty("dropped_slow")
        @Schema(description = "Clients closed for not reading", minimum = "0")
        public long droppedSlow;
    }

    @Schema(name = "ConfigHealth", requiredProperties = { "generation", "applied_at", "source", "file",
            "file_matches_running", "problem", "restart_required", "changed_at_run_time" })
    public static class Config {
        @Schema(description = "1 at start-up, one more for every change applied while running", minimum = "1")
        public long generation;
        @JsonProperty("applied_at")
        @Schema(description = "When this generation was applied (ISO-8601)")
        public String appliedAt;
        @Schema(description = "Where it came from", allowableValues = { "start-up", "file", "jmx" })
        public String source;
        @Schema(description = "The watched file's name; null when the gateway runs on the packaged defaults", nullable = true)
        public String file;
        @JsonProperty("file_matches_running")
        @Schema(description = "false while the file holds an edit that was refused, or one that waits for a restart, or "
                + "while a JMX change differs from it")
        public boolean fileMatchesRunning;
        @Schema(description = "Why the file's last edit was refused (the property and the problem)", nullable = true)
        public String problem;
        @JsonProperty("restart_required")
        @Schema(description = "Properties changed in the file that only a restart applies")
        public java.util.List<String> restartRequired;
        @JsonProperty("changed_at_run_time")
        @Schema(description = "Properties changed over JMX, which the file does not say")
        public java.util.List<String> changedAtRunTime;
    }

    @Schema(name = "RedisHealth", requiredProperties = { "status", "mode", "server", "error" })
    public static class Redis {
        @Schema(description = "up when Redis answers", allowableValues = { "up", "down" })
        public String status;
        @Schema(description = "How Redis is found: redis.host (standalone) or the master named by redis.sentinel.nodes (sentinel)",
                allowableValues = { "standalone", "sentinel" })
        public String mode;
        @Schema(description = "host:port of the Redis the gateway uses now: in sentinel mode the master the sentinels named "
                + "last, null until one did", nullable = true)
        public String server;
        @Schema(description = "Why Redis is down (an authentication or permission failure is named)", nullable = true)
        public String error;
    }

    @Schema(name = "FeedHealth", requiredProperties = { "status", "role", "leader", "connected", "endpoint", "proxy", "connection_age_s",
            "last_frame_age_ms", "connects", "failed_connects", "ingest_suspended", "last_error" })
    public static class Feed {
        @Schema(description = "up while every connection is open and frames arrive; on a follower, up while another instance leads the venue",
                allowableValues = { "up", "down" })
        public String status;
        @Schema(description = "leader: this instance ingests the venue; follower: another one does (cluster.service)",
                allowableValues = { "leader", "follower" })
        public String role;
        @Schema(description = "The instance that leads the venue, as announced in Redis; null while none does", nullable = true)
        public String leader;
        @Schema(description = "Whether every connection is open (or a recording is replayed)", nullable = true)
        public Boolean connected;
        @Schema(description = "The venue's URL, or replay:<file>", nullable = true)
        public String endpoint;
        @Schema(description = "The proxy in use, password masked; direct without one", nullable = true)
        public String proxy;
        @JsonProperty("connection_age_s")
        @Schema(description = "Seconds since the connection opened; null when not connected", nullable = true)
        public Long connectionAgeS;
        @JsonProperty("last_frame_age_ms")
        @Schema(description = "Milliseconds since the last frame; null before the first", nullable = true)
        public Long lastFrameAgeMs;
        @Schema(description = "Connections established", nullable = true)
        public Long connects;
        @JsonProperty("failed_connects")
        @Schema(description = "Connection attempts that failed", nullable = true)
        public Long failedConnects;
        @JsonProperty("ingest_suspended")
        @Schema(description = "Whether an operator suspended ingest (JMX)", nullable = true)
        public Boolean ingestSuspended;
        @JsonProperty("last_error")
        @Schema(description = "The last connection failure, password masked", nullable = true)
        public String lastError;
    }

    @Schema(name = "FreshnessHealth", requiredProperties = { "status", "stale_symbols", "stale_count", "stale_after_s",
            "held_symbols", "held_count", "sequence_resets" })
    public static class Freshness {
        @Schema(description = "up when no symbol is stale", allowableValues = { "up", "down" })
        public String status;
        @JsonProperty("stale_symbols")
        @Schema(description = "Symbols without a tick for stale_after_s, at most 50", nullable = true)
        public List<String> staleSymbols;
        @JsonProperty("stale_count")
        @Schema(description = "How many symbols are stale", nullable = true)
        public Integer staleCount;
        @JsonProperty("stale_after_s")
        @Schema(description = "quality.stale.seconds", nullable = true)
        public Integer staleAfterS;
        @JsonProperty("held_symbols")
        @Schema(description = "Symbols whose lower sequences the newer-than guard is refusing, at most 50", nullable = true)
        public List<String> heldSymbols;
        @JsonProperty("held_count")
        @Schema(description = "How many symbols are held", nullable = true)
        public Integer heldCount;
        @JsonProperty("sequence_resets")
        @Schema(description = "Sequence resets stored since start", nullable = true)
        public Long sequenceResets;
    }
}
