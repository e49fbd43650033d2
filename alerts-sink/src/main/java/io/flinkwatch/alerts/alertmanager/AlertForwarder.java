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
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLHandshakeException;
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
 *
 * <p>Alertmanager may sit behind authentication and TLS ({@link AlertmanagerHttpConfig}). The
 * secret and CA files are checked when forwarding starts and read again before every post, so
 * rotated files are used without a restart. A missing file or refused credentials (401, 403) are
 * logged as errors and retried with backoff like an unreachable Alertmanager: the alerts wait in
 * the bounded queue, and the job and its alerts topic go on. Credentials embedded in the URL are
 * refused (they would show wherever the URL does); the URL is logged with {@link UrlRedaction}
 * anyway.
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
            Duration requestTimeout,
            AlertmanagerHttpConfig http) {

        public Settings {
            if (UrlRedaction.hasUserInfo(alertmanager)) {
                throw new IllegalArgumentException(
                        "The Alertmanager URL "
                                + UrlRedaction.redact(alertmanager)
                                + " has credentials in it: give a user name and a password file"
                                + " (basic auth) or a bearer token file instead");
            }
            if (http.hasCaFile() && !"https".equalsIgnoreCase(alertmanager.getScheme())) {
                throw new IllegalArgumentException(
                        "A TLS CA file is given for "
                                + UrlRedaction.redact(alertmanager)
                                + ", which is not an https:// URL");
            }
        }

        /** Without authentication, trusting the JVM's default certificate authorities. */
        public Settings(
                URI alertmanager,
                String generatorUrlTemplate,
                Duration resendInterval,
                int queueCapacity,
                Duration requestTimeout) {
            this(
                    alertmanager,
                    generatorUrlTemplate,
                    resendInterval,
                    queueCapacity,
                    requestTimeout,
                    AlertmanagerHttpConfig.NONE);
        }
    }

    private final Settings settings;
    private final URI endpoint;

    /** The endpoint as it may be logged. */
    private final String shownEndpoint;

    private final AlertmanagerPayload payload;
    private final HttpCredentials credentials;

    /** Built on the sender thread, and again when the CA file changes. */
    private HttpClient http;

    private byte[] httpCaFile;
    private final Object lock = new Object();
    private final ArrayDeque<AlertEvent> queue = new ArrayDeque<>();
    private final Map<String, AlertEvent> firing = new LinkedHashMap<>();
    private final AtomicLong posted = new AtomicLong();
    private final AtomicLong failedPosts = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong authenticationFailures = new AtomicLong();

    /** Accepted events not yet posted: queued, or in the batch being posted. */
    private final java.util.concurrent.atomic.AtomicInteger unsent =
            new java.util.concurrent.atomic.AtomicInteger();

    private final Thread sender;
    private volatile boolean running = true;

    public AlertForwarder(Settings settings) {
        this.settings = settings;
        String base = settings.alertmanager().toString();
        this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "api/v2/alerts");
        this.shownEndpoint = UrlRedaction.redact(endpoint);
        // Alertmanager keeps an alert active until its endsAt: four resend intervals, as
        // Prometheus.
        this.payload =
                new AlertmanagerPayload(
                        settings.generatorUrlTemplate(), 4 * settings.resendInterval().toMillis());
        this.credentials = new HttpCredentials(settings.http());
        this.sender = new Thread(this::run, "alertmanager-forwarder " + shownEndpoint);
        sender.setDaemon(true);
    }

    /**
     * Starts the sender. A secret or CA file that cannot be read is logged now, naming the file and
     * the reason; forwarding still starts and reads the files again before every post, so a file
     * that appears later (a secret mounted late) is used then.
     */
    public AlertForwarder start() {
        try {
            credentials.check();
        } catch (CredentialFileException e) {
            LOG.error(
                    "Alertmanager forwarding to {}: {}. Alerts are queued and the file is read"
                            + " again before each post.",
                    shownEndpoint,
                    e.getMessage());
        }
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
                            shownEndpoint,
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

    /** Posts that failed (and were retried), including those refused for their credentials. */
    public long failedPosts() {
        return failedPosts.get();
    }

    /**
     * Posts Alertmanager refused for their credentials (401 or 403), or that could not be made
     * because a secret file could not be read.
     */
    public long authenticationFailures() {
        return authenticationFailures.get();
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
        HttpRequest.Builder request =
                HttpRequest.newBuilder(endpoint)
                        .timeout(settings.requestTimeout())
                        .header("Content-Type", "application/json");
        String authorization;
        try {
            authorization = credentials.authorization();
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            client();
        } catch (CredentialFileException e) {
            authenticationFailures.incrementAndGet();
            LOG.error(
                    "Cannot post {} alerts to Alertmanager at {}: {}; retrying",
                    batch.size(),
                    shownEndpoint,
                    e.getMessage());
            return false;
        }
        request.POST(
                HttpRequest.BodyPublishers.ofByteArray(
                        payload.toJson(batch, System.currentTimeMillis())));
        try {
            HttpResponse<String> response =
                    http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status / 100 == 2) {
                return true;
            }
            if (status == 401 || status == 403) {
                // Retried rather than dropped: a rotated secret file fixes it without a restart.
                authenticationFailures.incrementAndGet();
                LOG.error(
                        "Alertmanager at {} refused {} alerts for their credentials ({}: {}); sent"
                                + " {}; {}",
                        shownEndpoint,
                        batch.size(),
                        status,
                        response.body().strip(),
                        settings.http().describeCredentials(),
                        authorization == null
                                ? "it needs basic auth or a bearer token; retrying"
                                : "the secret is read again before the retry");
                return false;
            }
            if (status / 100 == 4) {
                LOG.error(
                        "Alertmanager at {} refused {} alerts ({}): {}",
                        shownEndpoint,
                        batch.size(),
                        status,
                        response.body());
                return true;
            }
            LOG.warn(
                    "Alertmanager at {} answered {}: {}; retrying",
                    shownEndpoint,
                    status,
                    response.body());
        } catch (IOException e) {
            SSLHandshakeException tls = handshakeFailure(e);
            if (tls != null) {
                LOG.error(
                        "TLS handshake with Alertmanager at {} failed: {}. Its certificate must be"
                                + " signed by a certificate authority in {}, for the host name of"
                                + " the URL; retrying",
                        shownEndpoint,
                        UrlRedaction.redact(tls.getMessage()),
                        settings.http().hasCaFile()
                                ? "the TLS CA file " + settings.http().tlsCaFile()
                                : "the JVM's default trust store (no CA file is configured)");
            } else {
                LOG.warn(
                        "Posting {} alerts to Alertmanager at {} failed: {}; retrying",
                        batch.size(),
                        shownEndpoint,
                        UrlRedaction.redact(e.toString()));
            }
        }
        return false;
    }

    /** The HTTP client, built anew when the CA file's content changed (a rotated CA). */
    private void client() throws CredentialFileException {
        byte[] caFile = credentials.caFileContent();
        if (http == null || !Arrays.equals(caFile, httpCaFile)) {
            http =
                    HttpClient.newBuilder()
                            .connectTimeout(settings.requestTimeout())
                            .sslContext(credentials.sslContext(caFile))
                            .build();
            httpCaFile = caFile;
        }
    }

    private static SSLHandshakeException handshakeFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLHandshakeException handshake) {
                return handshake;
            }
        }
        return null;
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
                    "Alertmanager forwarding to {} stops: {} alerts posted, {} failed posts ({} for"
                            + " credentials), {} events dropped, {} unsent",
                    shownEndpoint,
                    posted(),
                    failedPosts(),
                    authenticationFailures(),
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
