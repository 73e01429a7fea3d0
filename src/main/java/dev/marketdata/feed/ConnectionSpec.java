package dev.marketdata.feed;

import java.util.List;

import dev.marketdata.model.Instrument;

/**
 * One WebSocket connection a venue's protocol asks for: the request target to open (path and query), the
 * subscribe messages to send once it is open (in order, each within the venue's size and argument limits),
 * and the instruments whose frames arrive on it.
 */
public record ConnectionSpec(String requestTarget, List<String> subscribeMessages, List<Instrument> instruments) {

    public ConnectionSpec {
        subscribeMessages = List.copyOf(subscribeMessages);
        instruments = List.copyOf(instruments);
    }
}
