package dev.marketdata.pipeline;

import java.util.Locale;

/**
 * Failures as one log line, and Redis failures told apart: an authentication failure is a wrong setting
 * (the operator must fix the credentials), everything else is an outage the gateway rides out. Jedis
 * reports both through Spring's exception translation, sometimes untranslated, so the cause chain is read
 * for Redis's own error text.
 */
public final class Failures {

    private Failures() {
    }

    /** Redis refused the gateway: its credentials, or a command its ACL user may not run. Both are settings to fix. */
    public record Refusal(boolean permission, String words) {

        /** For health and logs: {@code authentication failed: WRONGPASS ...} or {@code permission denied: NOPERM ...}. */
        public String describe() {
            return (permission ? "permission denied: " : "authentication failed: ") + words;
        }

        /** The start-up error, naming the property to fix. */
        public IllegalArgumentException atStartUp() {
            return new IllegalArgumentException(permission
                    ? "Invalid redis.username: the Redis user may not run a command the gateway needs (" + words
                            + "); grant it " + REQUIRED_COMMANDS + " on tick:*"
                    : "Invalid redis.password: Redis refused the configured credentials (" + words
                            + "); check redis.username and redis.password / redis.password-file");
        }
    }

    /** What the gateway runs in Redis, for an ACL that allows it: {@code +@read +@write +@scripting} cover it. */
    public static final String REQUIRED_COMMANDS = "PING, GET, SET, MGET, DEL, TYPE, EVAL, EVALSHA, SCRIPT LOAD, HSET, HMGET and EXPIRE";

    /** Redis's refusal in the cause chain ({@code WRONGPASS}, {@code NOAUTH}, {@code NOPERM}, ...), else null. */
    public static Refusal redisRefusal(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            String upper = message.toUpperCase(Locale.ROOT);
            if (upper.contains("NOPERM")) {
                return new Refusal(true, clip(message));
            }
            if (upper.contains("WRONGPASS") || upper.contains("NOAUTH") || upper.contains("INVALID PASSWORD")
                    || upper.contains("WITHOUT ANY PASSWORD CONFIGURED")) {
                return new Refusal(false, clip(message));
            }
        }
        return null;
    }

    /** The innermost cause as {@code Type: message}, for one log line. */
    public static String describe(Throwable error) {
        Throwable root = error;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == null ? "unknown" : root.getClass().getSimpleName() + ": " + clip(String.valueOf(root.getMessage()));
    }

    private static String clip(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 160 ? printable : printable.substring(0, 160) + "...";
    }
}
