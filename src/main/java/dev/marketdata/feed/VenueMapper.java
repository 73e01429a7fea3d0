package dev.marketdata.feed;

import java.util.List;

import dev.marketdata.model.FrameOutcome;

/**
 * Turns one decoded text frame of a venue into outcomes: most frames carry one tick; some carry several (an
 * OKX {@code data} array, a Coinbase {@code events} list), control frames (acks, pongs, heartbeats) none but
 * an {@code Ignored}. Never throws: a frame that is not the venue's documented form is a {@code Rejected}.
 */
public interface VenueMapper {

    List<FrameOutcome> map(String frame, long receivedAt);
}
