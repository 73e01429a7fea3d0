package dev.marketdata.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What goes on the push API's channel: the ticks one writer batch stored, one PUBLISH a batch rather than one a
 * tick (a PUBLISH from inside the newest-wins script cost ingest half its rate, measured). Each tick is a line
 * {@code <N|R> TAB <followed key> TAB <sequence> TAB <received at> TAB <tick JSON>}: the key, sequence and receive
 * time let a reader route and order a tick without parsing its JSON; {@code R} says Redis stored it although its
 * sequence is not higher (a reset or a replaced guard), so a reader must not refuse it as older. The tick JSON is
 * written by {@link TickJson}, which escapes every control character, so it holds no newline or tab.
 */
public final class TickUpdates {

    /**
     * Kept (a few seconds' TTL, refreshed) by every gateway whose push API has a client following something; a
     * writer publishes only while it is there, so ingest pays nothing for the push API while nobody listens.
     */
    public static final String LISTENING_KEY = "tick:stream:listening";

    /** One stored tick as published. */
    public record Update(boolean reset, String key, long sequence, long receivedAt, String json) {
    }

    /** Above this a batch goes as several messages, so that no subscriber has to take one huge message. */
    static final int MAX_MESSAGE_BYTES = 256 * 1024;

    private TickUpdates() {
    }

    /** The messages for a batch's stored ticks, in store order; each at most {@link #MAX_MESSAGE_BYTES} where a tick allows. */
    public static List<byte[]> encode(List<Update> updates) {
        List<byte[]> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (Update u : updates) {
            int before = sb.length();
            if (before > 0) {
                sb.append('\n');
            }
            sb.append(u.reset() ? 'R' : 'N').append('\t').append(u.key()).append('\t').append(u.sequence()).append('\t')
                    .append(u.receivedAt()).append('\t').append(u.json());
            // Characters, not bytes: a tick's JSON is ASCII but for exotic symbols; a bound within a factor is enough.
            if (sb.length() > MAX_MESSAGE_BYTES && before > 0) {
                String whole = sb.toString();
                out.add(whole.substring(0, before).getBytes(StandardCharsets.UTF_8));
                sb.setLength(0);
                sb.append(whole, before + 1, whole.length());
            }
        }
        if (sb.length() > 0) {
            out.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /**
     * The updates of one message, in order. A line that is not one (anything else published on the channel, by
     * mistake or by someone hostile) is skipped and counted in {@code malformed[0]}; it never throws.
     */
    public static List<Update> decode(byte[] message, int[] malformed) {
        String text = new String(message, StandardCharsets.UTF_8);
        List<Update> out = new ArrayList<>();
        int at = 0;
        while (at <= text.length()) {
            int end = text.indexOf('\n', at);
            if (end < 0) {
                end = text.length();
            }
            Update u = line(text, at, end);
            if (u != null) {
                out.add(u);
            } else if (end > at) {
                malformed[0]++;
            }
            at = end + 1;
        }
        return out;
    }

    private static Update line(String text, int from, int to) {
        if (to - from < 10 || (text.charAt(from) != 'N' && text.charAt(from) != 'R') || text.charAt(from + 1) != '\t') {
            return null;
        }
        int keyEnd = text.indexOf('\t', from + 2);
        if (keyEnd < 0 || keyEnd >= to) {
            return null;
        }
        int seqEnd = text.indexOf('\t', keyEnd + 1);
        if (seqEnd < 0 || seqEnd >= to) {
            return null;
        }
        int atEnd = text.indexOf('\t', seqEnd + 1);
        if (atEnd < 0 || atEnd >= to) {
            return null;
        }
        try {
            long sequence = Long.parseLong(text, keyEnd + 1, seqEnd, 10);
            long receivedAt = Long.parseLong(text, seqEnd + 1, atEnd, 10);
            return new Update(text.charAt(from) == 'R', text.substring(from + 2, keyEnd), sequence, receivedAt,
                    text.substring(atEnd + 1, to));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
