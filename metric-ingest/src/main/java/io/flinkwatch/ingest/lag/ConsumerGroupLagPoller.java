package io.flinkwatch.ingest.lag;

import io.flinkwatch.ingest.Secrets;
import io.flinkwatch.ingest.publish.LogLimiter;
import io.flinkwatch.ingest.publish.PublishingLoop;
import io.flinkwatch.ingest.publish.SnapshotSender;
import io.flinkwatch.ingest.rest.FlinkRestClient;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, as Burrow does, the committed offsets of consumer groups and the log-end offsets of their
 * partitions with the Kafka Admin client, and publishes the groups' lag as snapshots: records
 * behind, an estimate in seconds, and the consumption rate. It sees lag from outside the job, so it
 * keeps reporting when the job (or its metrics reporting) is down. A group that cannot be read is
 * logged (at most once a minute) and skipped for that poll.
 */
public final class ConsumerGroupLagPoller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroupLagPoller.class);
    private static final String UNKNOWN_JOB_ID = "unknown";

    private final LagPollerSettings settings;
    private final Admin admin;
    private final SnapshotSender sender;
    private final LongSupplier clock;
    private final List<GroupLag> groups = new ArrayList<>();
    @Nullable private final FlinkRestClient rest;
    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Map<String, String> jobIds = new HashMap<>();
    private final LogLimiter failureLog = new LogLimiter();
    private PublishingLoop loop;

    public ConsumerGroupLagPoller(
            LagPollerSettings settings, SnapshotSender sender, LongSupplier clock) {
        this.settings = settings;
        this.sender = sender;
        this.clock = clock;
        Properties properties = new Properties();
        properties.put(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.groupsBootstrapServers());
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "flinkwatch-lag-poller");
        properties.put(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                String.valueOf(timeout().toMillis()));
        properties.put(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout().toMillis()));
        properties.putAll(settings.groupsKafka().properties());
        this.admin = Admin.create(properties);
        settings.groups()
                .forEach(
                        (group, job) ->
                                groups.add(
                                        new GroupLag(
                                                group,
                                                job,
                                                settings.history().toMillis(),
                                                settings.rateWindow().toMillis())));
        this.rest =
                settings.restUrl() == null
                        ? null
                        : new FlinkRestClient(settings.restUrl(), timeout());
    }

    /** Starts polling every interval. */
    public static ConsumerGroupLagPoller start(LagPollerSettings settings) {
        ConsumerGroupLagPoller poller =
                new ConsumerGroupLagPoller(
                        settings,
                        SnapshotSender.start(settings.publisher()),
                        System::currentTimeMillis);
        poller.loop = PublishingLoop.start("lag-poller", settings.interval(), poller::pollOnce);
        LOG.info(
                "Polling the lag of consumer groups {} at {} every {}",
                settings.groups().keySet(),
                settings.groupsBootstrapServers(),
                settings.interval());
        return poller;
    }

    private Duration timeout() {
        return settings.interval().compareTo(Duration.ofSeconds(30)) < 0
                ? settings.interval()
                : Duration.ofSeconds(30);
    }

    /** One poll of every group; returns the snapshots it published. */
    public List<MetricSnapshot> pollOnce() {
        long now = clock.getAsLong();
        refreshJobIds();
        List<MetricSnapshot> published = new ArrayList<>();
        for (GroupLag group : groups) {
            try {
                Map<String, Map<Integer, GroupLag.Offsets>> offsets = offsets(group.group());
                for (MetricSnapshot snapshot :
                        group.poll(
                                        now,
                                        settings.cluster(),
                                        jobIds.getOrDefault(group.jobName(), UNKNOWN_JOB_ID),
                                        offsets)
                                .values()) {
                    sender.offer(snapshot);
                    published.add(snapshot);
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return published;
                }
                failures.incrementAndGet();
                logFailure(group.group(), e);
            }
        }
        polls.incrementAndGet();
        return published;
    }

    /** Committed and log-end offsets of the partitions the group has committed offsets for. */
    private Map<String, Map<Integer, GroupLag.Offsets>> offsets(String group) throws Exception {
        long timeoutMs = timeout().toMillis();
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(timeoutMs, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                latest.isEmpty()
                        ? Map.of()
                        : admin.listOffsets(latest).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        Map<String, Map<Integer, GroupLag.Offsets>> offsets = new TreeMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end :
                ends.entrySet()) {
            OffsetAndMetadata commit = committed.get(end.getKey());
            offsets.computeIfAbsent(end.getKey().topic(), t -> new TreeMap<>())
                    .put(
                            end.getKey().partition(),
                            new GroupLag.Offsets(
                                    end.getValue().offset(),
                                    commit == null ? -1 : commit.offset()));
        }
        return offsets;
    }

    /** Job ids by job name, from the JobManager: the running job of each name, else its newest. */
    private void refreshJobIds() {
        if (rest == null) {
            return;
        }
        try {
            Map<String, String> ids = new HashMap<>();
            Map<String, Long> starts = new HashMap<>();
            for (FlinkRestClient.JobOverview job :
                    rest.jobsAsync().get(timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                long rank = job.state().equals("RUNNING") ? Long.MAX_VALUE : job.startTime();
                if (rank >= starts.getOrDefault(job.name(), Long.MIN_VALUE)) {
                    starts.put(job.name(), rank);
                    ids.put(job.name(), job.id());
                }
            }
            jobIds.clear();
            jobIds.putAll(ids);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            logFailure(
                    "the JobManager REST API at "
                            + Secrets.redactUrls(String.valueOf(settings.restUrl())),
                    e);
        }
    }

    private void logFailure(String what, Exception error) {
        if (failureLog.permits()) {
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            LOG.warn(
                    "Could not read {}: {} (skipped this poll; {} failures so far; logged at most once a minute)",
                    what,
                    cause.toString(),
                    failures.get());
        }
    }

    /** Polls completed. */
    public long polls() {
        return polls.get();
    }

    /** Runs until the JVM is stopped. */
    public static void run(LagPollerSettings settings) throws InterruptedException {
        ConsumerGroupLagPoller poller = start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(poller::close, "stop-lag-poller"));
        poller.loop.awaitClose();
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
        admin.close(Duration.ofSeconds(5));
        sender.close();
    }
}
