package dev.marketdata.feed;

import dev.marketdata.model.Followed;

/**
 * What the {@code market-stream} component knows of one enabled venue, from its settings: the followed set its
 * instruments and streams are read from (it changes at run time), the connection lifecycle, the feed that
 * reports on its connections, and its protocol. An endpoint's own parameters override the URL, the symbols,
 * the streams and the timing.
 */
public record VenueStream(String url, Followed followed, ConnectionTiming timing, VenueFeed feed, ExchangeProtocol protocol) {
}
