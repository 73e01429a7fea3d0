package dev.marketdata.exchange.htx;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.exchange.VenueJson;
import dev.marketdata.feed.Topic;
import dev.marketdata.model.Followed;
import dev.marketdata.model.Instrument;
import dev.marketdata.exchange.JsonFrameMapper;
import dev.marketdata.model.Venue;
import dev.marketdata.feed.VenueMapper;
import dev.marketdata.feed.ConnectionSpec;
import dev.marketdata.feed.ExchangeProtocol;
import dev.marketdata.feed.Subscriptions;

/**
 * HTX (Huobi) spot market WebSocket: one {@code {"sub":"market.<symbol>.<stream>","id":"<n>"}} per topic, at
 * most {@link #MAX_TOPICS_PER_CONNECTION} a connection. Every frame HTX sends is gzip-compressed binary;
 * it is inflated here, with a limit so that a small hostile frame cannot inflate without end. HTX sends
 * {@code {"ping":n}} every 5 s and drops a client that does not answer {@code {"pong":n}} within two.
 */
public final class HtxProtocol implements ExchangeProtocol {

    public static final int MAX_TOPICS_PER_CONNECTION = 100;
    private static final Pattern PING = Pattern.compile("\\{\\s*\"ping\"\\s*:\\s*(\\d{1,19})\\s*}");

    @Override
    public Venue venue() {
        return Venue.HTX;
    }

    @Override
    public Set<String> streams() {
        return new java.util.LinkedHashSet<>(List.of(HtxMapper.BBO, HtxMapper.TICKER));
    }

    @Override
    public String topicName(Topic topic) {
        return "market." + topic.instrument().nativeSymbol() + "." + topic.stream();
    }

    @Override
    public boolean fits(URI endpoint, List<Topic> topics) {
        return topics.size() <= MAX_TOPICS_PER_CONNECTION;
    }

    @Override
    public ConnectionSpec connection(URI endpoint, String partition, List<Topic> topics) {
        long[] n = { 0 };
        List<String> messages = requests("sub", topics, () -> ++n[0], true).stream().map(Request::text).toList();
        return ConnectionSpec.of(ExchangeProtocol.requestTarget(endpoint, ""), messages, partition, topics);
    }

    @Override
    public List<Request> openingRequests(List<Topic> topics) {
        long[] n = { 0 };
        return requests("sub", topics, () -> ++n[0], true);
    }

    @Override
    public List<Request> requests(List<Topic> topics, LongSupplier ids, boolean subscribe) {
        return requests(subscribe ? "sub" : "unsub", topics, ids, subscribe);
    }

    /** {@code {"sub":"market.btcusdt.bbo","id":"n"}}: HTX takes one topic a request. */
    private List<Request> requests(String op, List<Topic> topics, LongSupplier ids, boolean subscribe) {
        List<Request> out = new ArrayList<>();
        for (Topic topic : topics) {
            String id = Long.toString(ids.getAsLong());
            out.add(new Request(id, "{\"" + op + "\":" + Subscriptions.quoted(topicName(topic)) + ",\"id\":\"" + id + "\"}",
                    List.of(topic), subscribe));
        }
        return out;
    }

    /**
     * HTX takes a topic a request and publishes no rate for them; a connection's 100 topics go out at once when it
     * opens. Live ones: ten a second.
     */
    @Override
    public long requestSpacingMillis() {
        return 100;
    }

    /** {@code {"id":"n","status":"ok","subbed":"..."}}; {@code "status":"error"} with {@code err-msg} refuses. */
    @Override
    public Reply requestReply(String text) {
        if (!text.contains("\"status\"") || text.length() > 4096) {
            return null;
        }
        JsonNode root = Subscriptions.json(text);
        if (root == null || !root.has("status") || root.has("ch")) {
            return null;
        }
        String id = root.hasNonNull("id") ? root.get("id").asText() : null;
        if ("ok".equals(root.get("status").asText())) {
            String topic = root.has("subbed") ? root.get("subbed").asText() : root.path("unsubbed").asText(null);
            return id == null && topic == null ? null : new Reply(id, topic, null);
        }
        return new Reply(id, null, VenueJson.clip(root.path("err-code").asText()) + ": "
                + VenueJson.clip(root.path("err-msg").asText()));
    }

    /** A gzip binary frame inflated to its text (bounded); null when it is not gzip. */
    @Override
    public String text(Object body) {
        if (body instanceof String text) {
            return text;
        }
        if (!(body instanceof byte[] bytes)) {
            return null;
        }
        return gunzip(bytes);
    }

    // One inflater and one output buffer per thread (a connection's frames arrive on its event loop), reset for
    // each frame: a GZIPInputStream per frame allocated and freed a native inflater every time, most of the cost.
    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(() -> new Inflater(true));
    private static final ThreadLocal<byte[]> INFLATED = ThreadLocal.withInitial(() -> new byte[JsonFrameMapper.MAX_FRAME_CHARS + 1]);

    /**
     * One gzip member inflated, no more than one byte past the largest frame the mapper takes: a small hostile
     * frame that inflates to gigabytes costs this much and is then rejected as oversized. Null when it is not
     * gzip, is cut short, or fails its CRC.
     */
    static String gunzip(byte[] bytes) {
        int start = headerLength(bytes);
        if (start < 0) {
            return null;
        }
        Inflater inflater = INFLATER.get();
        byte[] out = INFLATED.get();
        inflater.reset();
        inflater.setInput(bytes, start, bytes.length - start);
        int n = 0;
        int stalls = 0;
        try {
            while (n < out.length && !inflater.finished()) {
                int k = inflater.inflate(out, n, out.length - n);
                if (k == 0 && (inflater.needsInput() || inflater.needsDictionary() || ++stalls > 3)) {
                    break;
                }
                n += k;
            }
        } catch (DataFormatException e) {
            return null;
        }
        if (n > JsonFrameMapper.MAX_FRAME_CHARS) {
            // Over the limit in bytes: one character per byte, so that the mapper sees it over the limit in
            // characters too (as UTF-8, multi-byte text would shrink below it and pass).
            return new String(out, 0, n, StandardCharsets.ISO_8859_1);
        }
        if (!inflater.finished() || inflater.getRemaining() < 8) {
            return null;
        }
        // The trailer: CRC-32 and length of what was inflated, little-endian.
        int trailer = bytes.length - inflater.getRemaining();
        CRC32 crc = new CRC32();
        crc.update(out, 0, n);
        if (littleEndian(bytes, trailer) != (int) crc.getValue() || littleEndian(bytes, trailer + 4) != n) {
            return null;
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /** The length of a gzip member's header (RFC 1952), or -1 when the bytes do not start with one. */
    private static int headerLength(byte[] b) {
        if (b.length < 18 || (b[0] & 0xff) != 0x1f || (b[1] & 0xff) != 0x8b || b[2] != 8) {
            return -1;
        }
        int flags = b[3] & 0xff;
        int pos = 10;
        if ((flags & 4) != 0) {
            if (pos + 2 > b.length) {
                return -1;
            }
            pos += 2 + ((b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8);
        }
        for (int flag : new int[] { 8, 16 }) {
            if ((flags & flag) != 0) {
                while (pos < b.length && b[pos] != 0) {
                    pos++;
                }
                pos++;
            }
        }
        if ((flags & 2) != 0) {
            pos += 2;
        }
        return pos < b.length ? pos : -1;
    }

    private static int littleEndian(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    @Override
    public String reply(String text) {
        if (!text.startsWith("{\"ping\"") && !text.startsWith("{ \"ping\"")) {
            return null;
        }
        Matcher m = PING.matcher(text);
        return m.matches() ? "{\"pong\":" + m.group(1) + "}" : null;
    }

    @Override
    public VenueMapper mapper(ObjectMapper json, Followed followed, String partition) {
        return new HtxMapper(json, n -> followed.current().byNative(Venue.HTX, n), () -> followed.current().streamSet(Venue.HTX));
    }
}
