package dev.marketdata.feed;

import io.vertx.core.net.ProxyOptions;

/**
 * What a venue's feed learns from its connections and what they ask of it: the proxy to connect through
 * (it moves to the next one after a failure), and the events it counts, logs and reports (JMX, metrics, health).
 */
public interface FeedEvents {

    /** The Vert.x proxy options of the active proxy; null for a direct connection. */
    ProxyOptions proxyOptions();

    int proxyCount();

    void connectAttempt();

    /** A failed attempt; the feed moves to the next proxy and says whether there is another one to try. */
    boolean connectFailed(Throwable cause);

    /** @param primary false for the second connection of a make-before-break switch */
    void connected(boolean primary);

    void rotated();

    void disconnected();

    /** A live subscribe or unsubscribe request went out. */
    default void requestSent(ExchangeProtocol.Request request) {
    }

    /** The venue acknowledged a request ({@code error} null), refused it, or did not answer in time. */
    default void requestAnswered(ExchangeProtocol.Request request, String error) {
    }
}
