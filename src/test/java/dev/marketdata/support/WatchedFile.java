package dev.marketdata.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The application.properties of a gateway's working directory, written and edited as an engineer does. */
public final class WatchedFile {

    private WatchedFile() {
    }

    /** A new working directory whose application.properties holds these lines. */
    public static Path workingDirectory(String... lines) throws IOException {
        Path dir = Files.createTempDirectory("market-data-live");
        Files.writeString(dir.resolve("application.properties"), String.join("\n", lines) + "\n");
        return dir;
    }

    /** Rewrites the file as an editor does (a new file moved into place), with these lines. */
    public static void edit(Path dir, String... lines) throws IOException {
        Path next = dir.resolve("application.properties.new");
        Files.writeString(next, String.join("\n", lines) + "\n");
        Files.move(next, dir.resolve("application.properties"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
