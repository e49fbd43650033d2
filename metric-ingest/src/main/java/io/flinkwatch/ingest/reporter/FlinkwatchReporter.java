package io.flinkwatch.ingest.reporter;

import io.flinkwatch.ingest.Secrets;
import io.flinkwatch.ingest.publish.Settings;
import io.flinkwatch.ingest.publish.SnapshotSender;
import io.flinkwatch.ingest.rest.FlinkRestClient;
import io.flinkwatch.ingest.rest.JobDetails;
import io.flinkwatch.ingest.rest.JobDetailsCache;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.ingest.snapshot.SnapshotLimits;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.Scheduled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink metric reporter that publishes the metrics of every job, task and operator of the process
 * it runs in as snapshots in Flinkwatch's wire format to Kafka.
 *
 * <p>It runs inside the monitored cluster's JobManager and TaskManagers, so it must never slow or
 * break them: metric registration only records the metric; {@link #report()} reads the values and
 * hands snapshots to a {@link SnapshotSender}, which never blocks (bounded buffer, drops counted
 * and logged). Job-level snapshots from the JobManager also carry the job status, job graph and
 * checkpoint interval, read in the background from the JobManager's REST API. When a job's metrics
 * go away (it ended), one last job-level snapshot tells its final status, so that a cancelled or
 * finished job is not mistaken for one that fell silent.
 */
public final class FlinkwatchReporter implements MetricReporter, Scheduled {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkwatchReporter.class);

    /** Statuses a job does not leave (Flink's globally terminal ones). */
    private static final Set<String> TERMINAL = Set.of("CANCELED", "FINISHED", "FAILED");

    private static final int END_STATUS_ATTEMPTS = 15;

    private final Map<ReportedScope, Map<String, Metric>> metrics = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private ReporterSettings settings;
    private SnapshotSender sender;
    @Nullable private FlinkRestClient rest;
    @Nullable private JobDetailsCache jobs;

    public FlinkwatchReporter() {
        this(System::currentTimeMillis);
    }

    FlinkwatchReporter(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public void open(MetricConfig config) {
        Map<String, String> values = new HashMap<>();
        config.stringPropertyNames().forEach(key -> values.put(key, config.getProperty(key)));
        open(ReporterSettings.from(new Settings(values, "metrics.reporter.<name>.")));
    }

    void open(ReporterSettings settings) {
        this.settings = settings;
        this.sender = SnapshotSender.start(settings.publisher());
        LOG.info(
                "Flinkwatch reporter for cluster {} publishing {} metrics to topic {}{}",
                settings.cluster(),
                settings.allMetrics() ? "all" : "the monitored",
                settings.publisher().topic(),
                settings.restUrl() == null
                        ? " (no JobManager REST API: job status and graph left out)"
                        : "; job details from "
                                + Secrets.redactUrls(settings.restUrl().toString()));
    }

    /**
     * The REST client, created on first use: only the JobManager's reporter reports job-level
     * scopes, so the TaskManagers' never open one.
     */
    @Nullable
    private synchronized FlinkRestClient rest() {
        if (rest == null && settings.restUrl() != null) {
            rest = new FlinkRestClient(settings.restUrl(), Duration.ofSeconds(5));
            jobs = new JobDetailsCache(rest, settings.restRefresh());
        }
        return rest;
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.close();
        }
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        try {
            ReportedScope scope = ScopeMapping.scopeOf(group.getAllVariables());
            if (scope == null) {
                return;
            }
            String name = nameOf(scope, metricName, group);
            if (name != null) {
                metrics.computeIfAbsent(scope, s -> new ConcurrentHashMap<>()).put(name, metric);
            }
        } catch (RuntimeException e) {
            // Never let a surprise in a metric group reach the task that registers it.
            LOG.debug("Metric {} not reported", metricName, e);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        try {
            ReportedScope scope = ScopeMapping.scopeOf(group.getAllVariables());
            if (scope == null) {
                return;
            }
            String name = nameOf(scope, metricName, group);
            Map<String, Metric> scoped = metrics.get(scope);
            if (name == null || scoped == null) {
                return;
            }
            scoped.remove(name, metric);
            if (scoped.isEmpty()
                    && metrics.remove(scope, scoped)
                    && scope.scope().level() == ScopeLevel.JOB) {
                reportEnd(scope);
            }
        } catch (RuntimeException e) {
            LOG.debug("Removal of metric {} not handled", metricName, e);
        }
    }

    @Nullable
    private String nameOf(ReportedScope scope, String metricName, MetricGroup group) {
        String logicalScope =
                LogicalScopeProvider.castFrom(group).getLogicalScope(CharacterFilter.NO_OP_FILTER);
        String name = ScopeMapping.nameOf(scope, logicalScope, group.getAllVariables(), metricName);
        if (name == null || name.length() > SnapshotLimits.MAX_STRING_LENGTH) {
            return null;
        }
        return settings.allMetrics() || FlinkMetricNames.isMonitored(scope.scope().level(), name)
                ? name
                : null;
    }

    @Override
    public void report() {
        long now = clock.getAsLong();
        for (Map.Entry<ReportedScope, Map<String, Metric>> entry : metrics.entrySet()) {
            ReportedScope scope = entry.getKey();
            Map<String, Double> values = new HashMap<>();
            for (Map.Entry<String, Metric> metric : entry.getValue().entrySet()) {
                Double value = valueOf(metric.getValue());
                if (value != null && values.size() < SnapshotLimits.MAX_METRICS) {
                    values.put(metric.getKey(), value);
                }
            }
            if (scope.scope().level() == ScopeLevel.JOB) {
                JobDetails details = rest() == null ? null : jobs.get(scope.jobId());
                sender.offer(jobSnapshot(now, scope, values, details));
            } else if (!values.isEmpty()) {
                sender.offer(
                        new MetricSnapshot(
                                now,
                                settings.cluster(),
                                JobRef.of(scope.jobId(), scope.jobName()),
                                scope.scope(),
                                values,
                                null));
            }
        }
    }

    private MetricSnapshot jobSnapshot(
            long time,
            ReportedScope scope,
            Map<String, Double> values,
            @Nullable JobDetails details) {
        boolean known = details != null && details.id().equals(scope.jobId());
        return new MetricSnapshot(
                time,
                settings.cluster(),
                known ? details.jobRef() : JobRef.of(scope.jobId(), scope.jobName()),
                scope.scope(),
                values,
                known ? details.knownTopology() : null);
    }

    /**
     * The job's metrics are gone from the JobManager: tell its final status, once. Metrics go while
     * the job is still CANCELLING or FAILING, so the status is asked again, a few times, until it
     * is one that ends a job; then (or when asking is no use any more) it is sent.
     */
    private void reportEnd(ReportedScope scope) {
        if (rest() != null) {
            reportEnd(scope, clock.getAsLong(), END_STATUS_ATTEMPTS);
        }
    }

    private void reportEnd(ReportedScope scope, long time, int attemptsLeft) {
        rest.jobAsync(scope.jobId())
                .whenComplete(
                        (details, error) -> {
                            String status = details == null ? null : details.jobRef().status();
                            if (status != null && !TERMINAL.contains(status) && attemptsLeft > 1) {
                                CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS)
                                        .execute(() -> reportEnd(scope, time, attemptsLeft - 1));
                            } else if (status != null) {
                                sender.offer(jobSnapshot(time, scope, Map.of(), details));
                                LOG.info(
                                        "Job {} ({}) ended with status {}",
                                        scope.jobName(),
                                        scope.jobId(),
                                        status);
                            }
                        });
    }

    /**
     * The value of a counter, gauge or meter as a finite number, or null (histograms, text, NaN).
     */
    @Nullable
    static Double valueOf(Metric metric) {
        try {
            double value;
            if (metric instanceof Counter counter) {
                value = counter.getCount();
            } else if (metric instanceof Meter meter) {
                value = meter.getRate();
            } else if (metric instanceof Gauge<?> gauge) {
                Object raw = gauge.getValue();
                if (raw instanceof Number number) {
                    value = number.doubleValue();
                } else if (raw instanceof Boolean flag) {
                    value = flag ? 1 : 0;
                } else {
                    return null;
                }
            } else {
                return null;
            }
            return Double.isFinite(value) ? value : null;
        } catch (RuntimeException e) {
            // A gauge that fails to compute is left out of this report, not the whole report.
            return null;
        }
    }
}
