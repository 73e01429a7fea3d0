package dev.marketdata.model;

import java.util.Arrays;
import java.util.List;

/**
 * The body of one pipeline exchange: the outcomes of the frames one connection delivered in one event-loop
 * turn (a replayed frame, or one sent by a test, is a batch of its own outcomes), each with the
 * {@link System#nanoTime()} its frame arrived at. One exchange per batch instead of per frame is what makes
 * ingest cheap (Camel's per-exchange work and route meters are paid once per batch); every step still judges
 * each outcome on its own, in arrival order, and a failure of one outcome drops that outcome only.
 *
 * <p>Not thread-safe: a batch is filled on its connection's event loop and then belongs to one exchange.
 */
public final class FrameBatch {

    /** One pipeline step on one outcome: what the outcome becomes, null to drop it. */
    @FunctionalInterface
    public interface Step {
        FrameOutcome apply(FrameOutcome outcome, long receivedNanos);
    }

    /** What a step does when it fails on one outcome: count and log it; the outcome is dropped. */
    @FunctionalInterface
    public interface Failure {
        void failed(FrameOutcome outcome, RuntimeException cause);
    }

    private FrameOutcome[] outcomes;
    private long[] receivedNanos;
    private int size;

    public FrameBatch() {
        this(16);
    }

    public FrameBatch(int capacity) {
        outcomes = new FrameOutcome[Math.max(1, capacity)];
        receivedNanos = new long[outcomes.length];
    }

    /** A batch of one frame's outcomes. */
    public static FrameBatch of(List<FrameOutcome> frameOutcomes, long receivedNanos) {
        FrameBatch batch = new FrameBatch(frameOutcomes.size());
        batch.addAll(frameOutcomes, receivedNanos);
        return batch;
    }

    public void add(FrameOutcome outcome, long arrivedNanos) {
        if (size == outcomes.length) {
            outcomes = Arrays.copyOf(outcomes, size * 2);
            receivedNanos = Arrays.copyOf(receivedNanos, size * 2);
        }
        outcomes[size] = outcome;
        receivedNanos[size] = arrivedNanos;
        size++;
    }

    public void addAll(List<FrameOutcome> frameOutcomes, long arrivedNanos) {
        for (int i = 0; i < frameOutcomes.size(); i++) {
            add(frameOutcomes.get(i), arrivedNanos);
        }
    }

    /** Outcomes added, including those a step has since dropped. */
    public int size() {
        return size;
    }

    /** The i-th outcome, or null once a step dropped it. */
    public FrameOutcome outcome(int i) {
        return outcomes[i];
    }

    /** {@link System#nanoTime()} when the i-th outcome's frame arrived; 0 when unknown. */
    public long receivedNanos(int i) {
        return receivedNanos[i];
    }

    /**
     * Runs a step over every outcome not yet dropped, in order, replacing each with what the step returns (null
     * drops it). A step that throws on one outcome drops that one, reports it, and goes on with the rest.
     */
    public FrameBatch apply(Step step, Failure onFailure) {
        for (int i = 0; i < size; i++) {
            FrameOutcome outcome = outcomes[i];
            if (outcome == null) {
                continue;
            }
            try {
                outcomes[i] = step.apply(outcome, receivedNanos[i]);
            } catch (RuntimeException e) {
                outcomes[i] = null;
                onFailure.failed(outcome, e);
            }
        }
        return this;
    }

    /** Whether any outcome is a tick still to store. */
    public boolean hasTicks() {
        for (int i = 0; i < size; i++) {
            if (outcomes[i] instanceof FrameOutcome.Accepted) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "FrameBatch of " + size + " outcome(s)";
    }
}
