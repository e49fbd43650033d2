package io.flinkwatch.ingest.publish;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one publishing round (a scrape, a poll) every interval on a thread of its own, until closed.
 * A round that fails is logged and the next one runs: a publisher outlives the outages of what it
 * observes.
 */
public final class PublishingLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PublishingLoop.class);

    private final ScheduledExecutorService executor;
    private final CountDownLatch closed = new CountDownLatch(1);

    private PublishingLoop(String name, Duration interval, Runnable round) {
        executor =
                Executors.newSingleThreadScheduledExecutor(
                        task -> {
                            Thread thread = new Thread(task, name);
                            thread.setDaemon(true);
                            return thread;
                        });
        executor.scheduleAtFixedRate(
                () -> {
                    try {
                        round.run();
                    } catch (RuntimeException e) {
                        LOG.warn("{} round failed; the next one runs in {}", name, interval, e);
                    }
                },
                0,
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    public static PublishingLoop start(String name, Duration interval, Runnable round) {
        return new PublishingLoop(name, interval, round);
    }

    /** Blocks until {@link #close()} is called (from a shutdown hook, say). */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed.countDown();
    }
}
