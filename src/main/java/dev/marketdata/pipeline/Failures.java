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

    /** Redis's own words when it refused the credentials ({@code WRONGPASS ...}, {@code NOAUTH ...}), else null. */
    public static String authenticationProblem(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            String upper = message.toUpperCase(Locale.ROOT);
            if (upper.contains("WRONGPASS") || upper.contains("NOAUTH") || upper.contains("NOPERM")
                    || upper.contains("INVALID PASSWORD") || upper.contains("WITHOUT ANY PASSWORD CONFIGURED")) {
                return clip(message);
            }
        }
        return null;
    }

    /** The start-up error for credentials Redis refused: a setting to fix, named. */
    public static IllegalArgumentException credentialsRefused(String authenticationProblem) {
        return new IllegalArgumentException("Invalid redis.password: Redis refused the configured credentials ("
                + authenticationProblem + "); check redis.username and redis.password / redis.password-file");
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
