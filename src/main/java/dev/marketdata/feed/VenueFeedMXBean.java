package dev.marketdata.feed;

import java.util.List;
import java.util.Map;

/**
 * The a venue's feed as operators see it in jconsole, VisualVM or Hawtio, under
 * {@code org.apache.camel:context=<camel.main.name>,type=feed,name=<exchange id>}.
 */
public interface VenueFeedMXBean {

    boolean isConnected();

    /** The WebSocket endpoint, without credentials. */
    String getEndpoint();

    /** The proxy in use, password masked, or {@code direct}. */
    String getActiveProxy();

    /** Seconds since the current connection was established; -1 while disconnected. */
    long getConnectionAgeSeconds();

    /** Open connections (one per group of at most 1024 streams; two briefly during a switch). */
    int getConnections();

    /** Make-before-break switches done (maximum age, serverShutdown). */
    long getRotations();

    long getConnects();

    long getDisconnects();

    long getReconnectAttempts();

    long getFailedConnects();

    /**
     * Connects in the venue's current window, counted where the next connect would be: in Redis, with every
     * instance on this instance's egress (or using its proxy); this process's own while Redis does not answer.
     */
    int getConnectBudgetUsed();

    /** The most connects the gateway makes in one window (kept under the venue's published limit). */
    int getConnectBudgetLimit();

    long getConnectBudgetWindowSeconds();

    /** Where connects are counted: the Redis key, or "this process" (and since when Redis has not answered). */
    String getConnectBudgetScope();

    /** ISO-8601 time of the last frame, empty before the first. */
    String getLastFrameTime();

    double getFramesPerSecond();

    String getLastError();

    boolean isIngestSuspended();

    /** Per configured symbol, the receive time (epoch ms) of its newest stored tick; 0 for none yet. */
    Map<String, Long> getSymbolLastUpdate();

    /** Per configured symbol, milliseconds since its newest stored tick; -1 for none yet. */
    Map<String, Long> getSymbolAgeMillis();

    /** Data-quality alerts currently raised, as {@code kind:SYMBOL}. */
    List<String> getActiveAlerts();

    /**
     * Ticks stored although their sequence was not above the stored one: the stored tick was older than
     * {@code tick.sequence-reset-after} (a venue restart, a bogus sequence), or Redis held a foreign guard.
     */
    long getSequenceResets();

    /** {@code SYMBOL:stream} whose lower-sequence ticks the newer-than guard is refusing right now (at most
     * {@code tick.sequence-reset-after}). */
    List<String> getHeldSymbols();

    /** The symbols followed on this venue now, as configured (or as changed at run time). */
    List<String> getSymbols();

    /** Per open connection ({@code binance}, {@code binance#2}), the venue's names of the topics it carries. */
    Map<String, List<String>> getSubscriptions();

    /** The last live requests the venue refused or did not answer, with its reason. */
    List<String> getRefusedSubscriptions();

    /**
     * Follows exactly these symbols (comma-separated, as in {@code <id>.symbols}) from now on, without a restart:
     * added ones are subscribed on the open connections, removed ones unsubscribed. Returns what was applied; a bad
     * list changes nothing and fails with the reason.
     */
    String setSymbols(String symbols);

    /** Follows these symbols too; see {@link #setSymbols}. */
    String addSymbols(String symbols);

    /** Stops following these symbols; see {@link #setSymbols}. Their Redis keys expire by their TTL. */
    String removeSymbols(String symbols);

    /** Closes the current connections; each connects again at once through the active proxy. */
    void reconnect();

    /** Stops ingest (the connection is closed); the REST API keeps serving what Redis holds. */
    void suspendIngest() throws Exception;

    void resumeIngest() throws Exception;
}
