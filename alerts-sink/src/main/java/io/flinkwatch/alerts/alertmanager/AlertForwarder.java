package io.flinkwatch.alerts.alertmanager;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards alert events to an Alertmanager through its v2 API, on a thread of its own so that the
 * caller never waits for Alertmanager.
 *
 * <p>{@link #accept} only queues an event. The sender thread posts queued events in batches,
 * retrying a failed post with exponential backoff (1 s doubling up to {@link #MAX_BACKOFF}); while
 * Alertmanager is unreachable the queue is bounded and the oldest events are dropped and counted.
 * Firing alerts are re-posted every resend interval, so Alertmanager keeps them active and learns
 * of alerts it lost (a restart of Alertmanager, a dropped event); a resolved alert is posted with
 * its end time and no longer re-posted.
 */
public final class AlertForwarder implements AutoCloseable {

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final int MAX_BATCH = 500;

    private static final Logger LOG = LoggerFactory.getLogger(AlertForwarder.class);

    /** What to forward to and how. */
    public record Settings(
            URI alertmanager,
            String generatorUrlTemplate,
            Duration resendInterval,
            int queueCapacity,
            Duration requestTimeout) {}

    private final Settings settings;
    private final URI endpoint;
    private final AlertmanagerPayload payload;
    private final HttpClient http;
    private final Object lock = new Object();
    private final ArrayDeque<AlertEvent> queue = new ArrayDeque<>();
    private final Map<String, AlertEvent> firing = new LinkedHashMap<>();
    private final AtomicLong posted = new AtomicLong();
    private final AtomicLong failedPosts = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /** Accepted events not yet posted: queued, or in the batch being posted. */
    private final java.util.concurrent.atomic.AtomicInteger unsent =
            new java.util.concurrent.atomic.AtomicInteger();

    private final Thread sender;
    private volatile boolean running = true;

    public AlertForwarder(Settings settings) {
        this.settings = settings;
        String base = settings.alertmanager().toString();
        this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "api/v2/alerts");
        // Alertmanager keeps an alert active until its endsAt: four resend intervals, as
        // Prometheus.
        this.payload =
                new AlertmanagerPayload(
                        settings.generatorUrlTemplate(), 4 * settings.resendInterval().toMillis());
        this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
        this.sender = new Thread(this::run, "alertmanager-forwarder " + endpoint);
        sender.setDaemon(true);
    }

    public AlertForwarder start() {
        sender.start();
        return this;
    }

    /** Queues an event for Alertmanager; never blocks. */
    public void accept(AlertEvent event) {
        synchronized (lock) {
            if (event.status() == AlertStatus.RESOLVED) {
                firing.remove(event.fingerprint());
            } else {
                firing.put(event.fingerprint(), event);
            }
            if (queue.size() >= settings.queueCapacity()) {
                queue.pollFirst();
                unsent.decrementAndGet();
                long total = dropped.incrementAndGet();
                if (Long.bitCount(total) == 1) {
                    LOG.warn(
                            "Alertmanager at {} is not keeping up: {} alert events dropped so far",
                            endpoint,
                            total);
                }
            }
            queue.addLast(event);
            unsent.incrementAndGet();
            lock.notifyAll();
        }
    }

    /** The alerts firing now, as last forwarded: what a restart must keep re-posting. */
    public List<AlertEvent> firing() {
        synchronized (lock) {
            return new ArrayList<>(firing.values());
        }
    }

    /** Takes up alerts that were firing before a restart; they are posted again at once. */
    public void restore(Collection<AlertEvent> firingBefore) {
        for (AlertEvent event : firingBefore) {
            accept(event);
        }
    }

    /** Alert events Alertmanager has accepted. */
    public long posted() {
        return posted.get();
    }

    /** Posts that failed (and were retried). */
    public long failedPosts() {
        return failedPosts.get();
    }

    /** Events dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Events waiting to be posted. */
    public int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Accepted events not yet posted (queued or being posted). */
    public int unsent() {
        return unsent.get();
    }

    private void run() {
        long nextResend = System.currentTimeMillis() + settings.resendInterval().toMillis();
        Duration backoff = FIRST_BACKOFF;
        List<AlertEvent> batch = new ArrayList<>();
        int fromQueue = 0;
        while (running) {
            try {
                if (batch.isEmpty()) {
                    synchronized (lock) {
                        long wait = nextResend - System.currentTimeMillis();
                        if (queue.isEmpty() && wait > 0) {
                            lock.wait(Math.min(wait, 1000));
                        }
                        // One entry per alert, the newest: Alertmanager merges a batch in no
                        // promised order.
                        Map<String, AlertEvent> newest = new LinkedHashMap<>();
                        while (!queue.isEmpty() && newest.size() < MAX_BATCH) {
                            AlertEvent event = queue.pollFirst();
                            fromQueue++;
                            newest.remove(event.fingerprint());
                            newest.put(event.fingerprint(), event);
                        }
                        if (System.currentTimeMillis() >= nextResend) {
                            nextResend =
                                    System.currentTimeMillis()
                                            + settings.resendInterval().toMillis();
                            firing.forEach(newest::putIfAbsent);
                        }
                        batch.addAll(newest.values());
                    }
                }
                if (batch.isEmpty()) {
                    continue;
                }
                if (post(batch)) {
                    posted.addAndGet(batch.size());
                    unsent.addAndGet(-fromQueue);
                    fromQueue = 0;
                    batch.clear();
                    backoff = FIRST_BACKOFF;
                } else {
                    failedPosts.incrementAndGet();
                    sleep(backoff);
                    backoff =
                            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                                    ? MAX_BACKOFF
                                    : backoff.multipliedBy(2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Posts one batch; true when Alertmanager took it (or refused it for good: retrying will not
     * help).
     */
    private boolean post(List<AlertEvent> batch) throws InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(endpoint)
                        .timeout(settings.requestTimeout())
                        .header("Content-Type", "application/json")
                        .POST(
                                HttpRequest.BodyPublishers.ofByteArray(
                                        payload.toJson(batch, System.currentTimeMillis())))
                        .build();
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status / 100 == 2) {
                return true;
            }
            if (status / 100 == 4) {
                LOG.error(
                        "Alertmanager at {} refused {} alerts ({}): {}",
                        endpoint,
                        batch.size(),
                        status,
                        response.body());
                return true;
            }
            LOG.warn(
                    "Alertmanager at {} answered {}: {}; retrying",
                    endpoint,
                    status,
                    response.body());
        } catch (IOException e) {
            LOG.warn(
                    "Posting {} alerts to Alertmanager at {} failed: {}; retrying",
                    batch.size(),
                    endpoint,
                    e.toString());
        }
        return false;
    }

    private void sleep(Duration backoff) throws InterruptedException {
        synchronized (lock) {
            long until = System.currentTimeMillis() + backoff.toMillis();
            for (long left = backoff.toMillis();
                    running && left > 0;
                    left = until - System.currentTimeMillis()) {
                lock.wait(left);
            }
        }
    }

    /** Stops the sender, after trying for up to {@code grace} to post what is queued. */
    public void close(Duration grace) {
        long until = System.currentTimeMillis() + grace.toMillis();
        while (running && unsent() > 0 && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    @Override
    public void close() {
        if (running) {
            LOG.info(
                    "Alertmanager forwarding to {} stops: {} alerts posted, {} failed posts, {} events dropped, {} unsent",
                    endpoint,
                    posted(),
                    failedPosts(),
                    dropped(),
                    unsent());
        }
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        sender.interrupt();
    }
}
