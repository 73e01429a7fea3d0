package dev.marketdata.feed;

import dev.marketdata.model.Instrument;

/**
 * One subscription: a stream of an instrument, as {@code <venue>.streams} names the stream. What a venue calls
 * it on the wire ({@code btcusdt@bookTicker}, {@code orderbook.1.BTCUSDT}) is its protocol's
 * {@link ExchangeProtocol#topicName(Topic)}.
 */
public record Topic(Instrument instrument, String stream) {
}
