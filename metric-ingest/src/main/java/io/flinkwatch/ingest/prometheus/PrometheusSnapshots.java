package io.flinkwatch.ingest.prometheus;

import io.flinkwatch.ingest.reporter.ReportedScope;
import io.flinkwatch.ingest.rest.JobDetails;
import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import io.flinkwatch.ingest.snapshot.SnapshotLimits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.annotation.Nullable;

/**
 * Turns the samples of one scrape round (all endpoints) into snapshots: one per job, task subtask
 * and operator subtask, at the time of the round. When the JobManager's REST API is known, job
 * names and vertex names come from it (the Prometheus reporter replaces the characters of label
 * values that Prometheus does not allow in names), and job-level snapshots carry the job status,
 * job graph and checkpoint interval.
 */
public final class PrometheusSnapshots {

    private PrometheusSnapshots() {}

    /**
     * @param details what the JobManager says about a job id, or null when it says nothing (or
     *     there is no REST API to ask)
     */
    public static List<MetricSnapshot> assemble(
            List<PrometheusSample> samples,
            long time,
            String cluster,
            boolean allMetrics,
            Function<String, JobDetails> details) {
        Map<ReportedScope, Map<String, Double>> byScope = new LinkedHashMap<>();
        for (PrometheusSample sample : samples) {
            if (!Double.isFinite(sample.value())) {
                continue;
            }
            PrometheusNames.Mapped mapped = PrometheusNames.map(sample, allMetrics);
            if (mapped != null) {
                Map<String, Double> values =
                        byScope.computeIfAbsent(mapped.scope(), s -> new LinkedHashMap<>());
                if (values.size() < SnapshotLimits.MAX_METRICS) {
                    values.put(mapped.metric(), sample.value());
                }
            }
        }
        List<MetricSnapshot> snapshots = new ArrayList<>(byScope.size());
        for (Map.Entry<ReportedScope, Map<String, Double>> entry : byScope.entrySet()) {
            ReportedScope reported = entry.getKey();
            JobDetails job = details.apply(reported.jobId());
            if (job != null && !job.id().equals(reported.jobId())) {
                job = null;
            }
            snapshots.add(snapshot(time, cluster, reported, entry.getValue(), job));
        }
        return snapshots;
    }

    private static MetricSnapshot snapshot(
            long time,
            String cluster,
            ReportedScope reported,
            Map<String, Double> values,
            @Nullable JobDetails job) {
        Scope scope = reported.scope();
        if (job == null) {
            return new MetricSnapshot(
                    time,
                    cluster,
                    JobRef.of(reported.jobId(), reported.jobName()),
                    scope,
                    values,
                    null);
        }
        if (scope.level() == ScopeLevel.JOB) {
            return new MetricSnapshot(
                    time, cluster, job.jobRef(), scope, values, job.knownTopology());
        }
        String vertexName = job.vertexName(scope.vertexId(), scope.vertexName());
        Scope named =
                new Scope(
                        scope.level(),
                        scope.vertexId(),
                        vertexName,
                        scope.subtask(),
                        scope.attempt(),
                        scope.operatorId(),
                        scope.operatorName());
        return new MetricSnapshot(
                time, cluster, JobRef.of(reported.jobId(), job.name()), named, values, null);
    }
}
