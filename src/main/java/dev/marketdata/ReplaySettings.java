package dev.marketdata;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import dev.marketdata.model.Venue;

/**
 * Recording Binance's frames and playing a recording back in its place ({@code record.*}, {@code replay.*}), and
 * whether Binance's live route runs beside or instead of a replay ({@code binance.enabled}).
 *
 * @param replayFile     the recording to play, or null
 * @param binanceEnabled whether the live Binance route starts: Binance is among the exchanges and no replay
 *                       stands in for it, unless {@code binance.enabled} says otherwise
 * @param recordFile     where to record, or null
 */
public record ReplaySettings(String replayFile, boolean binanceEnabled, String recordFile, int recordMaxMegabytes,
        int recordFiles) {

    static ReplaySettings from(Function<String, String> property, List<Venue> venues) {
        // The file must be there; the speed and loop are checked here as the replay endpoint takes them.
        String replayFile = GatewaySettings.text(property, "replay.file", "");
        if (!replayFile.isEmpty() && !Files.isReadable(Path.of(replayFile))) {
            throw GatewaySettings.invalid("replay.file", replayFile, "cannot be read");
        }
        if (!GatewaySettings.text(property, "replay.speed", "1").equals("0")) {
            GatewaySettings.positiveDecimal(property, "replay.speed", "1");
        }
        GatewaySettings.bool(property, "replay.loop", false);
        if (!replayFile.isEmpty() && !venues.contains(Venue.BINANCE)) {
            throw GatewaySettings.invalid("replay.file", replayFile, "plays recorded Binance frames: add binance to exchanges");
        }
        String enabled = property.apply("binance.enabled");
        boolean binanceEnabled = venues.contains(Venue.BINANCE) && (enabled == null || enabled.isBlank()
                ? replayFile.isEmpty() : GatewaySettings.bool(property, "binance.enabled", true));
        // Recording the live feed: the folder must be there to write in.
        String recordFile = GatewaySettings.text(property, "record.file", "");
        if (!recordFile.isEmpty()) {
            Path parent = Path.of(recordFile).toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
                throw GatewaySettings.invalid("record.file", recordFile, "cannot be written (its folder must exist and be writable)");
            }
        }
        int recordMaxMegabytes = GatewaySettings.integer(property, "record.max-size-mb", 100, 1, 10_240);
        int recordFiles = GatewaySettings.integer(property, "record.files", 5, 1, 1_000);
        return new ReplaySettings(replayFile.isEmpty() ? null : replayFile, binanceEnabled,
                recordFile.isEmpty() ? null : recordFile, recordMaxMegabytes, recordFiles);
    }
}
