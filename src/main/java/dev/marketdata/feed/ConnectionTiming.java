package dev.marketdata.feed;

/**
 * The lifecycle settings of a venue's connections: reconnect backoff, how long a connection may be silent,
 * its maximum age before a make-before-break switch, and the keep-alive interval (0: the protocol's own).
 */
public record ConnectionTiming(long initialDelayMillis, long maxDelayMillis, long resetAfterMillis, long idleMillis,
        long maxAgeMillis, long keepAliveMillis) {
}
