package io.flinkwatch.testing.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;

/**
 * A speed limit that can change while the job runs: records per second, read from a file (a whole
 * number; absent, empty or 0 means no limit) at most twice a second. {@link #acquire} waits until
 * the next record may pass. Used by one sink writer, on its task thread.
 */
final class Throttle {

    private static final long RECHECK_NANOS = 500_000_000L;

    @Nullable private final Path file;
    private final LongSupplier nanoClock;
    private long checkedAt = Long.MIN_VALUE / 2;
    private long limit;
    private long windowStart;
    private long passedInWindow;

    Throttle(@Nullable Path file, LongSupplier nanoClock) {
        this.file = file;
        this.nanoClock = nanoClock;
    }

    /** The limit in force, records per second; 0 for none. */
    long limit() {
        return limit;
    }

    /** Blocks until one more record may pass under the current limit. */
    void acquire() throws InterruptedException {
        long now = nanoClock.getAsLong();
        if (now - checkedAt >= RECHECK_NANOS) {
            checkedAt = now;
            long read = read();
            if (read != limit) {
                limit = read;
                windowStart = now;
                passedInWindow = 0;
            }
        }
        if (limit <= 0) {
            return;
        }
        long due = windowStart + passedInWindow * 1_000_000_000L / limit;
        long wait = due - now;
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } else if (wait < -1_000_000_000L) {
            // Fell more than a second behind (the input was slower than the limit): start afresh,
            // rather than letting a burst through to catch up.
            windowStart = now;
            passedInWindow = 0;
        }
        passedInWindow++;
    }

    private long read() {
        if (file == null) {
            return 0;
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? 0 : Math.max(0, Long.parseLong(text));
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException | NumberFormatException e) {
            // Keep the limit in force while the file is being rewritten.
            return limit;
        }
    }

    /** Sets the limit of every sink that reads {@code file}: records per second, 0 for none. */
    static void set(Path file, long recordsPerSecond) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, Long.toString(recordsPerSecond), StandardCharsets.UTF_8);
        Files.move(
                temporary,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
