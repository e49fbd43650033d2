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

    /** The longest wait a {@code Retry-After} answer is honoured for. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    public static final int DEFAULT_MAX_ALERTS_PER_REQUEST = 500;

    private static final Logger LOG = LoggerFactory.getLogger(AlertForwarder.class);

    /**
     * What to forward to and how.
     *
     * @param maxAlertsPerRequest the most alerts one request carries; larger sets (a resend of a
     *     large incident) go in several requests
     * @param watchdog labels of an always-firing watchdog alert posted with every resend (a dead
     *     man's switch), or empty for none; see {@link #armWatchdog}
     */
    public record Settings(
            URI alertmanager,
            String generatorUrlTemplate,
            Duration resendInterval,
            int queueCapacity,
            Duration requestTimeout,
            AlertmanagerHttpConfig http,
            int maxAlertsPerRequest,
            Map<String, String> watchdog)
            implements java.io.Serializable {

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
            if (maxAlertsPerRequest < 1) {
                throw new IllegalArgumentException(
                        "at least one alert per request, not " + maxAlertsPerRequest);
            }
            watchdog = Map.copyOf(watchdog);
        }

        /** Without a watchdog, at most {@value #DEFAULT_MAX_ALERTS_PER_REQUEST} per request. */
        public Settings(
                URI alertmanager,
                String generatorUrlTemplate,
                Duration resendInterval,
                int queueCapacity,
                Duration requestTimeout,
                AlertmanagerHttpConfig http) {
            this(
                    alertmanager,
                    generatorUrlTemplate,
                    resendInterval,
                    queueCapacity,
                    requestTimeout,
                    http,
                    DEFAULT_MAX_ALERTS_PER_REQUEST,
                    Map.of());
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

        /** These settings with at most {@code alerts} per request. */
        public Settings withMaxAlertsPerRequest(int alerts) {
            return new Settings(
                    alertmanager,
                    generatorUrlTemplate,
                    resendInterval,
                    queueCapacity,
                    requestTimeout,
                    http,
                    alerts,
                    watchdog);
        }

        /** These settings with a watchdog alert of these labels. */
        public Settings withWatchdog(Map<String, String> labels) {
            return new Settings(
                    alertmanager,
                    generatorUrlTemplate,
                    resendInterval,
                    queueCapacity,
                    requestTimeout,
                    http,
                    maxAlertsPerRequest,
                    labels);
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
    private final AtomicLong rejected = new AtomicLong();

    /** When forwarding started: the watchdog alert's start. */
    private final long startedAt = System.currentTimeMillis();

    /** Whether the watchdog alert is posted with every resend (guarded by {@code lock}). */
    private boolean watchdogArmed;

    /** Whether the watchdog alert is to be posted now, not waiting for the next resend. */
    private boolean watchdogDue;

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

    /**
     * Alert events Alertmanager refused for good (a 4xx other than for credentials or load, for the
     * alert itself): logged by name, not retried.
     */
    public long rejected() {
        return rejected.get();
    }

    /**
     * Starts posting the watchdog alert, now and with every resend, if the settings name one.
     * Called once the pipeline has shown it works (a checkpoint completed), so that a job that
     * fails over and over does not keep the dead man's switch quiet.
     */
    public void armWatchdog() {
        if (settings.watchdog().isEmpty()) {
            return;
        }
        synchronized (lock) {
            if (!watchdogArmed) {
                watchdogArmed = true;
                watchdogDue = true;
                lock.notifyAll();
            }
        }
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

    /**
     * Alerts for one request. {@code fromQueue}: the queued events it settles once posted or
     * refused; {@code watchdog}: whether it carries the watchdog alert.
     */
    private record Request(List<AlertEvent> alerts, int fromQueue, boolean watchdog) {

        int size() {
            return alerts.size() + (watchdog ? 1 : 0);
        }

        /** The two halves of a request Alertmanager refused as a whole. */
        List<Request> halves() {
            int half = size() / 2;
            int alertsInFirst = watchdog ? half - 1 : half;
            return List.of(
                    new Request(alerts.subList(0, alertsInFirst), 0, watchdog),
                    new Request(alerts.subList(alertsInFirst, alerts.size()), fromQueue, false));
        }
    }

    /** What an answer of Alertmanager asks of the sender. */
    private enum Answer {
        /** Taken. */
        POSTED,
        /** Retry the same request after the backoff. */
        RETRY,
        /** Retry after the wait Alertmanager (or a proxy) asked for in {@code Retry-After}. */
        RETRY_AFTER,
        /** Refused as a whole for something in it: post each half on its own. */
        SPLIT,
        /** Refused for good: retrying cannot help. */
        REJECTED
    }

    private void run() {
        long nextResend = System.currentTimeMillis() + settings.resendInterval().toMillis();
        Duration backoff = FIRST_BACKOFF;
        ArrayDeque<Request> outbox = new ArrayDeque<>();
        while (running) {
            try {
                if (outbox.isEmpty()) {
                    synchronized (lock) {
                        long wait = nextResend - System.currentTimeMillis();
                        if (queue.isEmpty() && !watchdogDue && wait > 0) {
                            lock.wait(Math.min(wait, 1000));
                        }
                        // One entry per alert, the newest: Alertmanager merges a batch in no
                        // promised order.
                        Map<String, AlertEvent> newest = new LinkedHashMap<>();
                        int fromQueue = 0;
                        while (!queue.isEmpty() && newest.size() < settings.maxAlertsPerRequest()) {
                            AlertEvent event = queue.pollFirst();
                            fromQueue++;
                            newest.remove(event.fingerprint());
                            newest.put(event.fingerprint(), event);
                        }
                        boolean watchdog = watchdogDue;
                        watchdogDue = false;
                        if (System.currentTimeMillis() >= nextResend) {
                            nextResend =
                                    System.currentTimeMillis()
                                            + settings.resendInterval().toMillis();
                            firing.forEach(newest::putIfAbsent);
                            watchdog = watchdogArmed;
                        }
                        outbox.addAll(
                                requests(new ArrayList<>(newest.values()), fromQueue, watchdog));
                    }
                }
                Request request = outbox.peekFirst();
                if (request == null) {
                    continue;
                }
                PostResult result = post(request);
                switch (result.answer()) {
                    case POSTED -> {
                        outbox.pollFirst();
                        posted.addAndGet(request.alerts().size());
                        unsent.addAndGet(-request.fromQueue());
                        backoff = FIRST_BACKOFF;
                    }
                    case SPLIT -> {
                        outbox.pollFirst();
                        List<Request> halves = request.halves();
                        outbox.addFirst(halves.get(1));
                        outbox.addFirst(halves.get(0));
                    }
                    case REJECTED -> {
                        outbox.pollFirst();
                        rejected.addAndGet(request.alerts().size());
                        unsent.addAndGet(-request.fromQueue());
                        backoff = FIRST_BACKOFF;
                    }
                    case RETRY_AFTER -> {
                        failedPosts.incrementAndGet();
                        sleep(result.delay());
                    }
                    case RETRY -> {
                        failedPosts.incrementAndGet();
                        sleep(backoff);
                        backoff =
                                backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                                        ? MAX_BACKOFF
                                        : backoff.multipliedBy(2);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The alerts in requests of at most {@link Settings#maxAlertsPerRequest}; the last settles the
     * queued events, the first carries the watchdog.
     */
    private List<Request> requests(List<AlertEvent> alerts, int fromQueue, boolean watchdog) {
        List<Request> requests = new ArrayList<>();
        int max = settings.maxAlertsPerRequest();
        int first = watchdog ? max - 1 : max;
        int from = 0;
        while (from < alerts.size() || (requests.isEmpty() && watchdog)) {
            int to = Math.min(alerts.size(), from + (requests.isEmpty() ? first : max));
            requests.add(new Request(alerts.subList(from, to), 0, requests.isEmpty() && watchdog));
            from = to;
        }
        if (!requests.isEmpty()) {
            Request last = requests.remove(requests.size() - 1);
            requests.add(new Request(last.alerts(), fromQueue, last.watchdog()));
        } else {
            unsent.addAndGet(-fromQueue);
        }
        return requests;
    }

    private record PostResult(Answer answer, Duration delay) {

        static final PostResult POSTED = new PostResult(Answer.POSTED, Duration.ZERO);
        static final PostResult RETRY = new PostResult(Answer.RETRY, Duration.ZERO);
        static final PostResult SPLIT = new PostResult(Answer.SPLIT, Duration.ZERO);
        static final PostResult REJECTED = new PostResult(Answer.REJECTED, Duration.ZERO);
    }

    /** Posts one request and says what to do next. */
    private PostResult post(Request request) throws InterruptedException {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(endpoint)
                        .timeout(settings.requestTimeout())
                        .header("Content-Type", "application/json");
        String authorization;
        try {
            authorization = credentials.authorization();
            if (authorization != null) {
                builder.header("Authorization", authorization);
            }
            client();
        } catch (CredentialFileException e) {
            authenticationFailures.incrementAndGet();
            LOG.error(
                    "Cannot post {} alerts to Alertmanager at {}: {}; retrying",
                    request.size(),
                    shownEndpoint,
                    e.getMessage());
            return PostResult.RETRY;
        }
        long now = System.currentTimeMillis();
        List<AlertEvent> alerts = request.alerts();
        builder.POST(
                HttpRequest.BodyPublishers.ofByteArray(
                        request.watchdog()
                                ? payload.toJson(alerts, now, watchdogLabels(), startedAt)
                                : payload.toJson(alerts, now)));
        try {
            HttpResponse<String> response =
                    http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status / 100 == 2) {
                return PostResult.POSTED;
            }
            String body = response.body().strip();
            if (status == 401 || status == 403) {
                // Retried rather than dropped: a rotated secret file fixes it without a restart.
                authenticationFailures.incrementAndGet();
                LOG.error(
                        "Alertmanager at {} refused {} alerts for their credentials ({}: {}); sent"
                                + " {}; {}",
                        shownEndpoint,
                        request.size(),
                        status,
                        body,
                        settings.http().describeCredentials(),
                        authorization == null
                                ? "it needs basic auth or a bearer token; retrying"
                                : "the secret is read again before the retry");
                return PostResult.RETRY;
            }
            if (status == 429 || status == 503) {
                Duration wait =
                        retryAfter(
                                response.headers().firstValue("Retry-After").orElse(null),
                                now,
                                FIRST_BACKOFF);
                LOG.warn(
                        "Alertmanager at {} answered {} to {} alerts ({}); retrying in {} s",
                        shownEndpoint,
                        status,
                        request.size(),
                        body,
                        wait.toMillis() / 1000.0);
                return new PostResult(Answer.RETRY_AFTER, wait);
            }
            boolean forSomethingInIt = status == 413 || status == 400 || status == 422;
            if (forSomethingInIt && request.size() > 1) {
                // Too large for a proxy, or one alert Alertmanager will not take: the halves
                // find the limit, or the one bad alert, and the others get through.
                LOG.warn(
                        "Alertmanager at {} refused a request of {} alerts ({}: {}); posting its"
                                + " halves",
                        shownEndpoint,
                        request.size(),
                        status,
                        body);
                return PostResult.SPLIT;
            }
            if (status / 100 == 4) {
                LOG.error(
                        "Alertmanager at {} refused {} alerts for good ({}: {}); not retried: {}",
                        shownEndpoint,
                        alerts.size(),
                        status,
                        body,
                        names(alerts));
                return PostResult.REJECTED;
            }
            LOG.warn("Alertmanager at {} answered {}: {}; retrying", shownEndpoint, status, body);
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
                        request.size(),
                        shownEndpoint,
                        UrlRedaction.redact(e.toString()));
            }
        }
        return PostResult.RETRY;
    }

    /**
     * The wait a {@code Retry-After} header asks for (seconds, or an HTTP date), at least {@code
     * least} and at most {@link #MAX_RETRY_AFTER}; {@code least} without a readable header.
     */
    static Duration retryAfter(String header, long now, Duration least) {
        Duration wait = least;
        if (header != null && !header.isBlank()) {
            String value = header.strip();
            try {
                wait = Duration.ofSeconds(Long.parseLong(value));
            } catch (NumberFormatException notSeconds) {
                try {
                    wait =
                            Duration.ofMillis(
                                    java.time.ZonedDateTime.parse(
                                                            value,
                                                            java.time.format.DateTimeFormatter
                                                                    .RFC_1123_DATE_TIME)
                                                    .toInstant()
                                                    .toEpochMilli()
                                            - now);
                } catch (java.time.format.DateTimeParseException notADate) {
                    LOG.debug("Unreadable Retry-After header '{}'", value);
                }
            }
        }
        if (wait.compareTo(least) < 0) {
            return least;
        }
        return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }

    /** The alerts of a refused request as on-call knows them, for the log. */
    private static String names(List<AlertEvent> alerts) {
        StringBuilder text = new StringBuilder();
        int shown = 0;
        for (AlertEvent alert : alerts) {
            if (shown++ == 20) {
                text.append(", and ").append(alerts.size() - 20).append(" more");
                break;
            }
            if (!text.isEmpty()) {
                text.append(", ");
            }
            text.append(alert.alertname())
                    .append(' ')
                    .append(alert.status().name().toLowerCase(java.util.Locale.ROOT))
                    .append(" {cluster=")
                    .append(alert.labels().getOrDefault("cluster", ""))
                    .append(", job_name=")
                    .append(alert.labels().getOrDefault("job_name", ""))
                    .append("} ")
                    .append(alert.fingerprint());
        }
        return text.toString();
    }

    private Map<String, String> watchdogLabels() {
        return settings.watchdog();
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
                    "Alertmanager forwarding to {} stops: {} alerts posted, {} refused for good, {}"
                            + " failed posts ({} for credentials), {} events dropped, {} unsent",
                    shownEndpoint,
                    posted(),
                    rejected(),
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
