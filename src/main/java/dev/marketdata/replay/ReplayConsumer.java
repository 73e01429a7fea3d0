package dev.marketdata.replay;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

import dev.marketdata.feed.OutcomeDispatch;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the recording on a thread of its own: each frame becomes one exchange, as a live venue's does, sent
 * when the recorded time since the first frame (divided by the speed) has passed. With {@code loop} it starts
 * over at the end; the repeated sequences are then lower than the stored ones, so the newer-than guard
 * refuses them for {@code tick.sequence-reset-after} and stores them as a reset after that, as it would a
 * venue's restart.
 */
public class ReplayConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayConsumer.class);
    private volatile boolean running;
    private Thread player;

    public ReplayConsumer(ReplayEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public ReplayEndpoint getEndpoint() {
        return (ReplayEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        running = true;
        getEndpoint().getComponent().feed().replaying(getEndpoint().file().toString());
        player = new Thread(this::play, "frame-replay");
        player.setDaemon(true);
        player.start();
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (player != null) {
            player.interrupt();
            player.join(10_000);
            player = null;
        }
        // Binance's feed exists only when Binance is among the exchanges; the replay route is then never started.
        if (getEndpoint().getComponent().feed() != null) {
            getEndpoint().getComponent().feed().replaying(null);
        }
        super.doStop();
    }

    private void play() {
        ReplayEndpoint endpoint = getEndpoint();
        int pass = 0;
        do {
            pass++;
            long[] sent = new long[1];
            long startNanos = System.nanoTime();
            double[] first = { Double.NaN };
            try {
                int skipped = RecordedFrames.read(endpoint.file(), frame -> {
                    if (!running) {
                        throw new Stopped();
                    }
                    if (Double.isNaN(first[0])) {
                        first[0] = frame.receivedAt();
                    }
                    waitUntil(startNanos, (frame.receivedAt() - first[0]) / endpoint.getSpeed());
                    dispatch(frame.text());
                    sent[0]++;
                });
                LOG.info("Replayed {} frame(s) of {} (pass {}{})", sent[0], endpoint.file(), pass,
                        skipped == 0 ? "" : ", " + skipped + " line(s) that are not text frames skipped");
            } catch (Stopped stopped) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warn("Replay of {} stopped: {}", endpoint.file(), e.toString());
                return;
            }
        } while (running && endpoint.isLoop());
    }

    private void waitUntil(long startNanos, double seconds) {
        if (Double.isInfinite(seconds) || Double.isNaN(seconds) || seconds <= 0) {
            return;
        }
        long due = startNanos + (long) (seconds * 1e9);
        while (running && System.nanoTime() < due) {
            LockSupport.parkNanos(due - System.nanoTime());
        }
        if (!running) {
            throw new Stopped();
        }
    }

    private void dispatch(String text) {
        long now = System.currentTimeMillis();
        ReplayComponent component = getEndpoint().getComponent();
        component.feed().frameArrived(now);
        OutcomeDispatch.dispatch(this, OutcomeDispatch.outcomes(component.mapper(), text, now), System.nanoTime(),
                "a replayed frame");
    }

    /** Ends a pass from inside the reader when the consumer stops. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }
}
