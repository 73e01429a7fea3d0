package dev.marketdata.pipeline;

import java.util.List;

import dev.marketdata.model.MarketTick;

/**
 * Where the ticks a writer batch stored also go, besides the push API's channel (Kafka, when configured). Called on
 * the writer's thread after Redis answered the batch, so it must hand the ticks over and return: the writer never
 * waits for anything downstream of Redis.
 */
@FunctionalInterface
public interface StoredTickSink {

    /** A tick that won the newest-wins write, with its JSON exactly as Redis now holds it under the tick's key. */
    record Stored(MarketTick tick, String json) {
    }

    /** The ticks one batch stored, in the order Redis stored them. */
    void stored(List<Stored> ticks);
}
