package dev.marketdata.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the gateway follows right now: per enabled venue, its instruments and streams. Read everywhere a symbol
 * is judged (the validator, the store, the reader, the mappers), replaced as a whole when symbols or streams
 * change at run time, so a reader sees either the old set or the new one, never half of each. Whoever replaces it
 * (the live configuration) then tells the components that keep their own copies (the freshness tracker, the
 * metrics, the reader's lookup maps), before the feeds subscribe to anything new: a symbol's meters exist before
 * its first tick.
 */
public final class Followed {

    /** One immutable state of the followed set, with the lookups built once for it. */
    public static final class Snapshot {
        private final long generation;
        private final Map<Venue, List<Instrument>> instruments;
        private final Map<Venue, List<String>> streams;
        private final Map<Venue, Set<String>> streamSets;
        private final List<Instrument> all;
        private final List<String> keys;
        private final Set<String> keySet;
        private final Map<String, Instrument> byKey;
        private final Map<Venue, Map<String, Instrument>> byNative;
        private final Map<Venue, Map<String, Instrument>> byMarketNative;

        Snapshot(long generation, Map<Venue, List<Instrument>> instruments, Map<Venue, List<String>> streams) {
            this.generation = generation;
            Map<Venue, List<Instrument>> in = new LinkedHashMap<>();
            instruments.forEach((venue, list) -> in.put(venue, List.copyOf(list)));
            Map<Venue, List<String>> st = new LinkedHashMap<>();
            streams.forEach((venue, list) -> st.put(venue, List.copyOf(list)));
            this.instruments = Collections.unmodifiableMap(in);
            this.streams = Collections.unmodifiableMap(st);
            Map<Venue, Set<String>> sets = new EnumMap<>(Venue.class);
            st.forEach((venue, list) -> sets.put(venue, Set.copyOf(list)));
            this.streamSets = sets;
            List<Instrument> every = new ArrayList<>();
            in.values().forEach(every::addAll);
            this.all = List.copyOf(every);
            this.keys = all.stream().map(Instrument::key).toList();
            this.keySet = Set.copyOf(new LinkedHashSet<>(keys));
            Map<String, Instrument> keyed = new HashMap<>();
            Map<Venue, Map<String, Instrument>> natives = new EnumMap<>(Venue.class);
            Map<Venue, Map<String, Instrument>> marketNatives = new EnumMap<>(Venue.class);
            for (Instrument i : all) {
                keyed.putIfAbsent(i.key(), i);
                natives.computeIfAbsent(i.venue(), v -> new HashMap<>()).putIfAbsent(i.nativeSymbol(), i);
                marketNatives.computeIfAbsent(i.venue(), v -> new HashMap<>()).putIfAbsent(marketKey(i.market(), i.nativeSymbol()), i);
            }
            this.byKey = Map.copyOf(keyed);
            this.byNative = natives;
            this.byMarketNative = marketNatives;
        }

        /** 1 for the configuration the gateway started with; one more for every change applied since. */
        public long generation() {
            return generation;
        }

        /** The enabled venues, in the order of {@code exchanges}. */
        public Set<Venue> venues() {
            return instruments.keySet();
        }

        public List<Instrument> instruments(Venue venue) {
            return instruments.getOrDefault(venue, List.of());
        }

        public List<String> streams(Venue venue) {
            return streams.getOrDefault(venue, List.of());
        }

        public Set<String> streamSet(Venue venue) {
            return streamSets.getOrDefault(venue, Set.of());
        }

        /** Every followed instrument, venue by venue in the order of {@code exchanges}, each in configured order. */
        public List<Instrument> all() {
            return all;
        }

        /** Every followed key ({@link MarketTick#key(String, String)}), in the order of {@link #all()}. */
        public List<String> keys() {
            return keys;
        }

        public boolean follows(String key) {
            return keySet.contains(key);
        }

        /** The instrument of a followed key, or null. */
        public Instrument instrument(String key) {
            return byKey.get(key);
        }

        /** The followed instrument a venue names so, or null. */
        public Instrument byNative(Venue venue, String nativeSymbol) {
            Map<String, Instrument> map = byNative.get(venue);
            return map == null ? null : map.get(nativeSymbol);
        }

        /** The same for a venue that names spot and perpetual alike (Bybit's BTCUSDT), within one market. */
        public Instrument byNative(Venue venue, Market market, String nativeSymbol) {
            Map<String, Instrument> map = byMarketNative.get(venue);
            return map == null ? null : map.get(marketKey(market, nativeSymbol));
        }

        private static String marketKey(Market market, String nativeSymbol) {
            return market.tag() + ':' + nativeSymbol;
        }
    }

    private volatile Snapshot current;

    /** The configuration the gateway starts with: generation 1. */
    public Followed(Map<Venue, List<Instrument>> instruments, Map<Venue, List<String>> streams) {
        this.current = new Snapshot(1, instruments, streams);
    }

    /** One venue's instruments and streams, fixed (tests, tools). */
    public static Followed of(Venue venue, List<Instrument> instruments, List<String> streams) {
        return new Followed(Map.of(venue, instruments), Map.of(venue, streams));
    }

    public Snapshot current() {
        return current;
    }

    /**
     * Replaces the instruments and streams of the given venues (the others stay) as one new generation. Returns the
     * new snapshot.
     */
    public synchronized Snapshot replace(Map<Venue, List<Instrument>> instruments, Map<Venue, List<String>> streams) {
        Snapshot old = current;
        Map<Venue, List<Instrument>> in = new LinkedHashMap<>();
        Map<Venue, List<String>> st = new LinkedHashMap<>();
        for (Venue venue : old.venues()) {
            in.put(venue, instruments.getOrDefault(venue, old.instruments(venue)));
            st.put(venue, streams.getOrDefault(venue, old.streams(venue)));
        }
        Snapshot next = new Snapshot(old.generation() + 1, in, st);
        current = next;
        return next;
    }
}
