package dev.marketdata.support;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/**
 * A venue that takes live subscriptions, for trying live changes by hand (README, "Live changes"): it prints every
 * connection and every message the gateway sends it, answers subscribe and unsubscribe requests as the venue does,
 * and sends one frame a second for each topic each connection is subscribed to: a book top (Binance's bookTicker,
 * OKX's bbo-tbt) whatever the stream, so a ticker stream's frames are ignored by the gateway. Topics containing
 * the optional third argument are refused, as the venue refuses one it does not know.
 *
 * <pre>java -cp target/market-data.jar:target/test-classes dev.marketdata.support.LiveStandIn [binance|okx] [port] [refused]</pre>
 */
public final class LiveStandIn {

    private LiveStandIn() {
    }

    public static void main(String[] args) throws Exception {
        SubscriptionStandIn.Dialect dialect = args.length > 0 && args[0].equalsIgnoreCase("okx")
                ? SubscriptionStandIn.Dialect.OKX : SubscriptionStandIn.Dialect.BINANCE;
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        SubscriptionStandIn standIn = new SubscriptionStandIn(dialect, port,
                line -> System.out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + line));
        if (args.length > 2 && !args[2].isEmpty()) {
            String refused = args[2].toLowerCase(java.util.Locale.ROOT);
            standIn.refuse(topic -> topic.toLowerCase(java.util.Locale.ROOT).contains(refused));
        }
        String url = standIn.url(dialect == SubscriptionStandIn.Dialect.OKX ? "/ws/v5/public" : "/stream");
        System.out.println("stand-in " + dialect.name().toLowerCase(java.util.Locale.ROOT) + " at " + url + " (Ctrl-C stops it)");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                standIn.close();
            } catch (Exception e) {
                // stopping anyway
            }
        }));
        // One round a second until stopped (Ctrl-C); main just waits.
        java.util.concurrent.ScheduledExecutorService rounds = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        rounds.scheduleAtFixedRate(() -> {
            try {
                standIn.sendRound(topic -> true);
            } catch (Exception e) {
                System.out.println("sending failed: " + e);
            }
        }, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
        new java.util.concurrent.CountDownLatch(1).await();
    }
}
