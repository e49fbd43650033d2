package io.flinkwatch.ingest.prometheus;

import io.flinkwatch.ingest.Secrets;
import io.flinkwatch.ingest.publish.LogLimiter;
import io.flinkwatch.ingest.publish.PublishingLoop;
import io.flinkwatch.ingest.publish.SnapshotSender;
import io.flinkwatch.ingest.rest.FlinkRestClient;
import io.flinkwatch.ingest.rest.JobDetailsCache;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For clusters that already run Flink's Prometheus reporter: scrapes its endpoints (the
 * JobManager's and every TaskManager's) on an interval, maps Flink's Prometheus names back to the
 * snapshot format and publishes snapshots to Kafka. An endpoint that does not answer is logged (at
 * most once a minute) and skipped for that round; the others are still published. With the REST API
 * configured, a new job's snapshots wait until its true name is known ({@link UnnamedJobs}).
 */
public final class PrometheusBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusBridge.class);

    private final BridgeSettings settings;
    private final LongSupplier clock;
    private final HttpClient http;
    private final SnapshotSender sender;
    @Nullable private final JobDetailsCache jobs;
    private final UnnamedJobs unnamed;
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong failedScrapes = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final LogLimiter failureLog = new LogLimiter();
    private PublishingLoop loop;

    PrometheusBridge(BridgeSettings settings, SnapshotSender sender, LongSupplier clock) {
        this.settings = settings;
        this.clock = clock;
        this.sender = sender;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
        this.jobs =
                settings.restUrl() == null
                        ? null
                        : new JobDetailsCache(
                                new FlinkRestClient(settings.restUrl(), settings.timeout()),
                                settings.interval());
        // Long enough for the REST API to answer a few times over.
        this.unnamed = new UnnamedJobs(Math.max(30_000, 3 * settings.interval().toMillis()));
    }

    /** Starts scraping every interval. */
    public static PrometheusBridge start(BridgeSettings settings) {
        PrometheusBridge bridge =
                new PrometheusBridge(
                        settings,
                        SnapshotSender.start(settings.publisher()),
                        System::currentTimeMillis);
        bridge.loop =
                PublishingLoop.start("prometheus-bridge", settings.interval(), bridge::scrapeOnce);
        LOG.info(
                "Scraping {} every {} for cluster {}{}",
                Secrets.redactUrls(settings.targets().toString()),
                settings.interval(),
                settings.cluster(),
                settings.restUrl() == null
                        ? ""
                        : "; job details from "
                                + Secrets.redactUrls(settings.restUrl().toString()));
        return bridge;
    }

    /** One round: every endpoint scraped at once, the snapshots of all of them published. */
    public void scrapeOnce() {
        long now = clock.getAsLong();
        List<CompletableFuture<String>> scrapes = new ArrayList<>();
        for (URI target : settings.targets()) {
            HttpRequest request =
                    HttpRequest.newBuilder(target).timeout(settings.timeout()).GET().build();
            scrapes.add(
                    http.sendAsync(
                                    request,
                                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                            .thenApply(
                                    response -> {
                                        if (response.statusCode() != 200) {
                                            throw new IllegalStateException(
                                                    "HTTP " + response.statusCode());
                                        }
                                        return response.body();
                                    }));
        }
        List<PrometheusSample> samples = new ArrayList<>();
        for (int i = 0; i < scrapes.size(); i++) {
            try {
                PrometheusText.Parsed parsed =
                        PrometheusText.parse(
                                scrapes.get(i)
                                        .get(
                                                settings.timeout().toMillis() + 1000,
                                                TimeUnit.MILLISECONDS));
                samples.addAll(parsed.samples());
                if (parsed.unreadableLines() > 0) {
                    LOG.debug(
                            "{} lines of {} were not Prometheus samples",
                            parsed.unreadableLines(),
                            Secrets.redactUrls(settings.targets().get(i).toString()));
                }
            } catch (ExecutionException | TimeoutException e) {
                failedScrapes.incrementAndGet();
                logFailure(
                        settings.targets().get(i),
                        e instanceof ExecutionException ? e.getCause() : e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        List<MetricSnapshot> snapshots =
                PrometheusSnapshots.assemble(
                        samples,
                        now,
                        settings.cluster(),
                        settings.allMetrics(),
                        jobId -> jobs == null ? null : jobs.get(jobId));
        int offered = 0;
        for (MetricSnapshot snapshot : snapshots) {
            String jobId = snapshot.job().id();
            if (jobs == null || unnamed.publish(jobId, jobs.get(jobId) != null, now)) {
                sender.offer(snapshot);
                offered++;
            }
        }
        unnamed.forgetBefore(now - 10 * Math.max(30_000, settings.interval().toMillis()));
        published.addAndGet(offered);
        rounds.incrementAndGet();
    }

    private void logFailure(URI target, Throwable error) {
        if (failureLog.permits()) {
            LOG.warn(
                    "Could not scrape {}: {} (skipped this round; {} failed scrapes so far; logged at most once a minute)",
                    Secrets.redactUrls(target.toString()),
                    Secrets.redactUrls(error.toString()),
                    failedScrapes.get());
        }
    }

    /** Scrape rounds completed. */
    public long rounds() {
        return rounds.get();
    }

    /** Snapshots handed to the sender so far. */
    public long published() {
        return published.get();
    }

    /** Scrapes of one endpoint that failed. */
    public long failedScrapes() {
        return failedScrapes.get();
    }

    /** Runs until the JVM is stopped. */
    public static void run(BridgeSettings settings) throws InterruptedException {
        PrometheusBridge bridge = start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(bridge::close, "stop-prometheus-bridge"));
        bridge.loop.awaitClose();
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
        sender.close();
    }
}
