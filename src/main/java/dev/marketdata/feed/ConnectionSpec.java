package dev.marketdata.feed;

import java.util.List;

import dev.marketdata.model.Instrument;

/**
 * One WebSocket connection a venue's protocol asks for: the request target to open (path and query), the
 * subscribe messages to send once it is open (in order, each within the venue's size and argument limits),
 * the instruments whose frames arrive on it, and the topics it carries (of one partition: Bybit's spot or
 * linear endpoint).
 */
public record ConnectionSpec(String requestTarget, List<String> subscribeMessages, List<Instrument> instruments,
        String partition, List<Topic> topics) {

    public ConnectionSpec {
        subscribeMessages = List.copyOf(subscribeMessages);
        instruments = List.copyOf(instruments);
        topics = List.copyOf(topics);
    }

    public ConnectionSpec(String requestTarget, List<String> subscribeMessages, List<Instrument> instruments) {
        this(requestTarget, subscribeMessages, instruments, "", List.of());
    }

    /** A connection for these topics: its instruments are theirs, in order. */
    public static ConnectionSpec of(String requestTarget, List<String> subscribeMessages, String partition, List<Topic> topics) {
        return new ConnectionSpec(requestTarget, subscribeMessages, topics.stream().map(Topic::instrument).distinct().toList(),
                partition, topics);
    }
}
