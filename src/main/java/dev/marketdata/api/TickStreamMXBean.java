package dev.marketdata.api;

/**
 * The push API in JMX ({@code org.apache.camel:context=<name>,type=stream,name=push}): what health's {@code stream}
 * section shows, the limits in force (never the API keys), and one operation.
 */
public interface TickStreamMXBean {

    int getClients();

    /** (exchange, symbol) and best subscriptions, over every client. */
    int getSubscriptions();

    /** Whether this instance holds its subscription to the Redis channel every gateway publishes stored ticks on. */
    boolean isRedisSubscribed();

    long getMessagesSent();

    long getConflated();

    long getTicksReceived();

    /** Clients closed for not reading: ticks unread for the client timeout, or too many replies unread. */
    long getDroppedSlow();

    /** Upgrades refused: a missing or wrong API key, an origin not allowed, the clients at their limit. */
    long getRefusedUpgrades();

    long getRedisSubscriptionLosses();

    String getLimits();

    /** Closes every client (1012, they may reconnect); returns how many. */
    int disconnectClients();
}
