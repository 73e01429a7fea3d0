package dev.marketdata.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.marketdata.feed.FeedEvents;
import io.vertx.core.net.ProxyOptions;

/** The feed side of a connection in tests of the connection alone: direct, counting what it is told. */
public final class CountingFeedEvents implements FeedEvents {

    public final AtomicInteger connects = new AtomicInteger();
    public final AtomicInteger disconnects = new AtomicInteger();
    /** When each connection opened (System.currentTimeMillis()), in order. */
    public final List<Long> connectedAt = new CopyOnWriteArrayList<>();

    @Override
    public ProxyOptions proxyOptions() {
        return null;
    }

    @Override
    public int proxyCount() {
        return 1;
    }

    @Override
    public void connectAttempt() {
    }

    @Override
    public boolean connectFailed(Throwable cause) {
        return false;
    }

    @Override
    public void connected(boolean primary) {
        connectedAt.add(System.currentTimeMillis());
        connects.incrementAndGet();
    }

    @Override
    public void rotated() {
    }

    @Override
    public void disconnected() {
        disconnects.incrementAndGet();
    }
}
