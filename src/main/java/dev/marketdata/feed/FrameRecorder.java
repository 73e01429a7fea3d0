package dev.marketdata.feed;

import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every raw text frame the live venue sends to {@code record.file}, one line each in the form
 * {@link RecordedFrames} reads ({@code {"received_at": <unix seconds>, "frame": "<text>"}}), so that any
 * stretch of a live feed can be replayed later ({@code replay.file}). When the file reaches
 * {@code record.max-size-mb} it is rotated: {@code file} becomes {@code file.1}, {@code file.1} becomes
 * {@code file.2}, and so on up to {@code record.files}; the oldest is dropped. A write that fails is logged
 * once and recording stops: the feed itself is never held up by it.
 */
public class FrameRecorder implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(FrameRecorder.class);
    private static final long FLUSH_EVERY_MILLIS = 1_000;

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private BufferedWriter out;
    private long written;
    private long lastFlush;
    private boolean failed;

    public FrameRecorder(Path file, long maxBytes, int keep) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    @Override
    public synchronized void start() {
        try {
            open();
            LOG.info("Recording every frame to {} (rotated at {} MB, {} file(s) kept)", file, maxBytes >> 20, keep);
        } catch (IOException e) {
            fail(e);
        }
    }

    /** @param receivedAtMillis when the frame arrived (epoch milliseconds) */
    public synchronized void record(String frame, long receivedAtMillis) {
        if (out == null) {
            return;
        }
        try {
            String line = "{\"received_at\":" + BigDecimal.valueOf(receivedAtMillis, 3).toPlainString() + ",\"frame\":\""
                    + new String(JsonStringEncoder.getInstance().quoteAsString(frame)) + "\"}\n";
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            if (written > 0 && written + bytes.length > maxBytes) {
                rotate();
            }
            out.write(line);
            written += bytes.length;
            if (receivedAtMillis - lastFlush >= FLUSH_EVERY_MILLIS) {
                out.flush();
                lastFlush = receivedAtMillis;
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    @Override
    public synchronized void stop() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("Could not close the recording {}: {}", file, e.toString());
            }
            out = null;
        }
    }

    private void open() throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        written = Files.size(file);
    }

    private void rotate() throws IOException {
        out.close();
        for (int i = keep - 1; i >= 1; i--) {
            Path older = Path.of(file + "." + i);
            if (Files.exists(older)) {
                Files.move(older, Path.of(file + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (keep >= 1) {
            Files.move(file, Path.of(file + ".1"), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.delete(file);
        }
        Files.deleteIfExists(Path.of(file + "." + (keep + 1)));
        open();
    }

    private void fail(IOException e) {
        if (!failed) {
            failed = true;
            LOG.warn("Recording to {} stopped: {}", file, e.toString());
        }
        out = null;
    }
}
