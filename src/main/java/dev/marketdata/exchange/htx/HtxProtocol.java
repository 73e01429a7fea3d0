package dev.marketdata.exchange.htx;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
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
    public List<ConnectionSpec> connections(URI endpoint, List<Instrument> instruments, Set<String> streams) {
        record Topic(Instrument instrument, String name) {
        }
        List<Topic> topics = new ArrayList<>();
        for (Instrument instrument : instruments) {
            for (String stream : streams) {
                topics.add(new Topic(instrument, "market." + instrument.nativeSymbol() + "." + stream));
            }
        }
        String target = ExchangeProtocol.requestTarget(endpoint, "");
        List<ConnectionSpec> specs = new ArrayList<>();
        for (List<Topic> connection : Subscriptions.split(topics, MAX_TOPICS_PER_CONNECTION, Integer.MAX_VALUE, t -> 1)) {
            List<String> messages = new ArrayList<>();
            for (int i = 0; i < connection.size(); i++) {
                messages.add("{\"sub\":" + Subscriptions.quoted(connection.get(i).name()) + ",\"id\":\"" + (i + 1) + "\"}");
            }
            specs.add(new ConnectionSpec(target, messages, connection.stream().map(Topic::instrument).distinct().toList()));
        }
        return specs;
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
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            // Inflate no more than one byte past the largest frame the mapper takes: a small hostile frame that
            // inflates to gigabytes costs this much and is then rejected as oversized.
            byte[] inflated = in.readNBytes(JsonFrameMapper.MAX_FRAME_CHARS + 1);
            if (inflated.length > JsonFrameMapper.MAX_FRAME_CHARS) {
                // Over the limit in bytes: one character per byte, so that the mapper sees it over the limit in
                // characters too (as UTF-8, multi-byte text would shrink below it and pass).
                return new String(inflated, StandardCharsets.ISO_8859_1);
            }
            return new String(inflated, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
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
    public VenueMapper mapper(ObjectMapper json, ConnectionSpec connection, Set<String> streams) {
        return new HtxMapper(json, connection.instruments(), streams);
    }
}
