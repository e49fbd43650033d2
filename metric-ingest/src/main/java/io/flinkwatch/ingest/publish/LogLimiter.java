package io.flinkwatch.ingest.publish;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets a recurring warning through at most once a minute, so that an outage of what a publisher
 * talks to logs a line a minute, not a line a poll. Thread-safe.
 */
public final class LogLimiter {

    private static final long EVERY_MS = 60_000;

    private final LongSupplier clock;
    private final AtomicLong last = new AtomicLong(Long.MIN_VALUE / 2);

    public LogLimiter() {
        this(System::currentTimeMillis);
    }

    public LogLimiter(LongSupplier clock) {
        this.clock = clock;
    }

    /** Whether to log now; if so, the next minute is quiet. */
    public boolean permits() {
        long now = clock.getAsLong();
        long previous = last.get();
        return now - previous >= EVERY_MS && last.compareAndSet(previous, now);
    }
}
