package dev.marketdata.feed;

import java.util.concurrent.CompletableFuture;

/**
 * A sliding window of connects kept outside this process (in Redis), shared by every instance that books under
 * the same venue and scope ({@link ConnectLimiter#scope}). Its answers never come on the caller's thread, and
 * every future completes, exceptionally when the window could not be asked in time.
 */
public interface SharedConnectWindow {

    /**
     * @param waitMillis 0 when the connect was booked, else how long until the oldest connect leaves the window
     * @param used       connects in the window after this answer (every instance's), the booked one included
     */
    record Answer(long waitMillis, int used) {
    }

    /** Books a connect if fewer than {@code limit} are in the window, else says how long to wait. */
    CompletableFuture<Answer> reserve(String venue, String scope, int limit, long windowMillis);

    /** How many connects are in the window now, booking none (wait is 0). */
    CompletableFuture<Answer> peek(String venue, String scope, int limit, long windowMillis);

    /** The window's name as operators find it (the Redis key). */
    String name(String venue, String scope);
}
