package dev.marketdata.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.marketdata.exchange.binance.BinanceProtocol;
import dev.marketdata.exchange.bybit.BybitProtocol;
import dev.marketdata.exchange.coinbase.CoinbaseProtocol;
import dev.marketdata.exchange.htx.HtxProtocol;
import dev.marketdata.exchange.okx.OkxProtocol;
import dev.marketdata.feed.ExchangeProtocol;
import dev.marketdata.feed.ExchangeProtocol.Reply;
import dev.marketdata.feed.ExchangeProtocol.Request;
import dev.marketdata.feed.Topic;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import org.junit.jupiter.api.Test;

/**
 * Each venue's live subscribe and unsubscribe requests, in its documented form and within its limits, and the
 * reading of its replies: acknowledgements by id or by topic, refusals with the venue's reason, and data frames
 * never taken for replies.
 */
class LiveRequestsTest {

    private static Topic topic(Venue venue, String symbol, String stream) {
        return new Topic(Instrument.parse(venue, symbol), stream);
    }

    private static List<String> texts(List<Request> requests) {
        return requests.stream().map(Request::text).toList();
    }

    @Test
    void binanceSubscribesWithIdsInMessagesUnder4KbAndReadsItsReplies() {
        BinanceProtocol binance = new BinanceProtocol(1024, 7000);
        AtomicLong ids = new AtomicLong(6);
        List<Request> one = binance.subscribe(List.of(topic(Venue.BINANCE, "XRPUSDT", "bookTicker"),
                topic(Venue.BINANCE, "BTC-USDT", "ticker")), ids::incrementAndGet);
        assertEquals(List.of("{\"method\":\"SUBSCRIBE\",\"params\":[\"xrpusdt@bookTicker\",\"btcusdt@ticker\"],\"id\":7}"), texts(one));
        assertEquals("7", one.get(0).id());
        assertEquals(List.of("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"xrpusdt@bookTicker\"],\"id\":8}"),
                texts(binance.unsubscribe(List.of(topic(Venue.BINANCE, "XRPUSDT", "bookTicker")), ids::incrementAndGet)));
        List<Topic> many = dev.marketdata.support.Frames.symbols(1000).stream().map(s -> topic(Venue.BINANCE, s, "bookTicker")).toList();
        List<Request> split = binance.subscribe(many, ids::incrementAndGet);
        assertEquals(1000, split.stream().mapToInt(r -> r.topics().size()).sum());
        assertTrue(split.stream().allMatch(r -> r.text().length() <= 4096), "each under 4 KB");
        assertEquals(6, split.size());

        assertEquals(new Reply("7", null, null), binance.requestReply("{\"result\":null,\"id\":7}"));
        assertEquals(new Reply("9", null, "code 2: Invalid request: unknown stream"),
                binance.requestReply("{\"code\":2,\"msg\":\"Invalid request: unknown stream\",\"id\":9}"));
        assertEquals(new Reply("9", null, "code 2: Invalid request"),
                binance.requestReply("{\"error\":{\"code\":2,\"msg\":\"Invalid request\"},\"id\":9}"));
        assertNull(binance.requestReply(dev.marketdata.support.Frames.bookTicker("BTCUSDT", 5)));
        assertNull(binance.requestReply("{\"result\":null}"));
        assertNull(binance.requestReply("not json \"id\""));
        assertEquals(300, binance.requestSpacingMillis());
    }

    @Test
    void okxAnswersPerArgumentAndRefusesWithoutNamingTheRequest() {
        OkxProtocol okx = new OkxProtocol();
        List<Request> requests = okx.subscribe(List.of(topic(Venue.OKX, "SOL-USDT", "bbo-tbt")), () -> 1);
        assertEquals(List.of("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"bbo-tbt\",\"instId\":\"SOL-USDT\"}]}"), texts(requests));
        assertNull(requests.get(0).id());
        assertEquals(new Reply(null, "{\"channel\":\"bbo-tbt\",\"instId\":\"SOL-USDT\"}", null),
                okx.requestReply("{\"event\":\"subscribe\",\"arg\":{\"instId\":\"SOL-USDT\",\"channel\":\"bbo-tbt\"},\"connId\":\"a\"}"));
        assertEquals(okx.topicName(topic(Venue.OKX, "SOL-USDT", "bbo-tbt")),
                okx.requestReply("{\"event\":\"unsubscribe\",\"arg\":{\"channel\":\"bbo-tbt\",\"instId\":\"SOL-USDT\"}}").topicName());
        assertEquals(new Reply(null, null, "error 60012: Invalid request"),
                okx.requestReply("{\"event\":\"error\",\"code\":\"60012\",\"msg\":\"Invalid request\",\"connId\":\"a\"}"));
        assertNull(okx.requestReply("{\"arg\":{\"channel\":\"bbo-tbt\",\"instId\":\"SOL-USDT\"},\"data\":[]}"));
        assertNull(okx.requestReply("pong"));
    }

    @Test
    void bybitKeepsSpotAndLinearApartAndAnswersByReqId() {
        BybitProtocol bybit = new BybitProtocol();
        assertEquals("spot", bybit.partition(Instrument.parse(Venue.BYBIT, "BTC-USDT")));
        assertEquals("linear", bybit.partition(Instrument.parse(Venue.BYBIT, "BTC-USDT-PERP")));
        AtomicLong ids = new AtomicLong();
        List<Topic> twelve = dev.marketdata.support.Frames.symbols(12).stream()
                .map(s -> topic(Venue.BYBIT, s.replace("USDT", "-USDT"), "orderbook.1")).toList();
        List<Request> requests = bybit.subscribe(twelve, ids::incrementAndGet);
        assertEquals(2, requests.size(), "10 topics a message");
        assertTrue(requests.get(0).text().startsWith("{\"req_id\":\"1\",\"op\":\"subscribe\",\"args\":[\"orderbook.1.S0000USDT\","));
        assertEquals(new Reply("1", null, null),
                bybit.requestReply("{\"success\":true,\"ret_msg\":\"\",\"conn_id\":\"c\",\"req_id\":\"1\",\"op\":\"subscribe\"}"));
        assertEquals(new Reply("2", null, "refused: error:handler not found"), bybit.requestReply(
                "{\"success\":false,\"ret_msg\":\"error:handler not found\",\"conn_id\":\"c\",\"req_id\":\"2\",\"op\":\"unsubscribe\"}"));
        // The answer to its keep-alive is not the answer to a request.
        assertNull(bybit.requestReply("{\"success\":true,\"ret_msg\":\"pong\",\"conn_id\":\"c\",\"op\":\"ping\"}"));
        assertNull(bybit.requestReply("{\"topic\":\"orderbook.1.BTCUSDT\",\"success\":true}"));
    }

    @Test
    void htxAsksOneTopicARequestWithIdsApartFromThoseOfItsOpeningMessages() {
        HtxProtocol htx = new HtxProtocol();
        List<Request> requests = htx.subscribe(List.of(topic(Venue.HTX, "SOL-USDT", "bbo"), topic(Venue.HTX, "XRP-USDT", "bbo")),
                new AtomicLong(1_000_000)::incrementAndGet);
        assertEquals(List.of("{\"sub\":\"market.solusdt.bbo\",\"id\":\"1000001\"}", "{\"sub\":\"market.xrpusdt.bbo\",\"id\":\"1000002\"}"),
                texts(requests));
        assertEquals(List.of("{\"unsub\":\"market.solusdt.bbo\",\"id\":\"5\"}"),
                texts(htx.unsubscribe(List.of(topic(Venue.HTX, "SOL-USDT", "bbo")), () -> 5)));
        assertEquals(new Reply("1000001", "market.solusdt.bbo", null),
                htx.requestReply("{\"id\":\"1000001\",\"status\":\"ok\",\"subbed\":\"market.solusdt.bbo\",\"ts\":1}"));
        assertEquals(new Reply("7", null, "bad-request: invalid topic market.nosuch.bbo"), htx.requestReply(
                "{\"status\":\"error\",\"ts\":1,\"id\":\"7\",\"err-code\":\"bad-request\",\"err-msg\":\"invalid topic market.nosuch.bbo\"}"));
        assertNull(htx.requestReply("{\"ch\":\"market.btcusdt.bbo\",\"status\":\"ok\",\"tick\":{}}"));
        // The opening messages of a connection count from 1.
        assertEquals(List.of("{\"sub\":\"market.btcusdt.bbo\",\"id\":\"1\"}"), htx.connection(URI.create("wss://h/ws"), "",
                List.of(topic(Venue.HTX, "BTC-USDT", "bbo"))).subscribeMessages());
    }

    @Test
    void coinbaseSendsOneMessagePerChannelAndTakesItsSubscriptionsListAsTheAnswer() {
        ExchangeProtocol coinbase = new CoinbaseProtocol();
        assertEquals(List.of("{\"type\":\"unsubscribe\",\"product_ids\":[\"SOL-USD\",\"XRP-USD\"],\"channel\":\"ticker\"}"),
                texts(coinbase.unsubscribe(List.of(topic(Venue.COINBASE, "SOL-USD", "ticker"),
                        topic(Venue.COINBASE, "XRP-USD", "ticker")), () -> 1)));
        assertEquals(new Reply(null, null, null), coinbase.requestReply(
                "{\"channel\":\"subscriptions\",\"client_id\":\"\",\"timestamp\":\"2023-02-09T20:32:58.033Z\",\"events\":[]}"));
        assertEquals(new Reply(null, null, "Failure to subscribe"),
                coinbase.requestReply("{\"type\":\"error\",\"message\":\"Failure to subscribe\"}"));
        assertNull(coinbase.requestReply("{\"channel\":\"ticker\",\"events\":[]}"));
    }
}
