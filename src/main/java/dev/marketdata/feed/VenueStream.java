package dev.marketdata.feed;

import java.util.List;

import dev.marketdata.model.Instrument;

/**
 * What the {@code market-stream} component knows of one enabled venue, from its settings: the instruments and
 * streams to follow, the connection lifecycle, the feed that reports on its connections, and its protocol.
 * An endpoint's own parameters override the URL, the symbols, the streams and the timing.
 */
public record VenueStream(String url, List<Instrument> instruments, List<String> streams, ConnectionTiming timing,
        VenueFeed feed, ExchangeProtocol protocol) {

    public VenueStream {
        instruments = List.copyOf(instruments);
        streams = List.copyOf(streams);
    }
}
