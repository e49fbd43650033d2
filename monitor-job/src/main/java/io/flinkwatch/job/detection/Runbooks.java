package io.flinkwatch.job.detection;

import java.util.List;

/** The operational runbook steps of the article, by kind of problem. */
public final class Runbooks {

    public static final List<String> JOB_NOT_RUNNING =
            List.of(
                    "Check the Flink dashboard for the job status and exception history.",
                    "Review TaskManager logs for the root cause (OOM, connectivity failure,"
                            + " deserialization error).",
                    "If OOM, increase TaskManager memory or reduce state size before restarting.",
                    "Restart from the latest checkpoint - never restart from scratch if a valid"
                            + " checkpoint exists.");

    public static final List<String> RESTART_LOOP =
            List.of(
                    "Check the exception history in the Flink dashboard - the same exception at every"
                            + " restart points to the cause (the alert's restart times tell which"
                            + " attempts to look at).",
                    "Review the TaskManager and JobManager logs around the restart times (OOM, lost"
                            + " TaskManagers, a poison record, an unreachable external system).",
                    "If a record or an external system makes every attempt fail, stop the job rather"
                            + " than let it loop - each restart replays from the last checkpoint and"
                            + " adds load downstream.",
                    "Fix the cause, then restart from the latest checkpoint - never restart from"
                            + " scratch if a valid checkpoint exists.");

    public static final List<String> CHECKPOINTS =
            List.of(
                    "Check checkpoint alignment (the tasks' checkpointAlignmentTime) - if high, look"
                            + " for data skew across subtasks.",
                    "Check TaskManager disk I/O - checkpoints write to disk, and saturated disks cause"
                            + " timeouts.",
                    "Increase execution.checkpointing.timeout as a temporary measure while"
                            + " investigating.",
                    "If state is too large, consider enabling incremental checkpoints or tuning"
                            + " RocksDB.");

    public static final List<String> CONSUMER_LAG =
            List.of(
                    "Verify the source (Kafka) throughput - is there a traffic spike, or has the job"
                            + " slowed down?",
                    "Check backpressure metrics to find the bottleneck operator.",
                    "If the sink is the bottleneck, check destination system health (query latency,"
                            + " connection pool, rate limits).",
                    "If throughput is the bottleneck, increase parallelism for the saturated"
                            + " operator.");

    public static final List<String> BACKPRESSURE =
            List.of(
                    "Identify the root bottleneck (first non-backpressured operator with high"
                            + " busyTimeMsPerSecond).",
                    "If it is a sink operator, the destination system is the bottleneck - check"
                            + " batch size, connection pool, and destination load.",
                    "If it is a processing operator, profile the operator logic for"
                            + " inefficiencies.",
                    "Increase parallelism for the bottleneck operator, ensuring downstream operators"
                            + " can handle the increased throughput.");

    public static final List<String> STATE_SIZE =
            List.of(
                    "Identify which operator's state is growing by checking per-operator state"
                            + " sizes.",
                    "Review the operator logic for unbounded state (missing TTL, windows that never"
                            + " fire).",
                    "If a join or deduplication operator, verify the key space is bounded.",
                    "Configure state TTL for operators that should expire old entries:"
                            + " StateTtlConfig.newBuilder(Duration.ofHours(24)).build().");

    public static final List<String> THROUGHPUT =
            List.of(
                    "Compare with the source system: did the traffic itself drop (a quiet upstream,"
                            + " a failed producer), or has the job slowed down?",
                    "Check backpressure metrics to find the bottleneck operator.",
                    "Check for a stalled subtask (one subtask near zero while its peers are healthy):"
                            + " data skew or a partition problem.",
                    "Check the job's exception history and TaskManager logs for restarts.");

    public static final List<String> METRICS_ABSENT =
            List.of(
                    "Check whether the job still exists in the Flink dashboard (it may have failed"
                            + " terminally or been cancelled).",
                    "Check the metric publisher: the Flinkwatch reporter in the cluster's plugins/"
                            + " directory, or the Prometheus bridge, and its logs.",
                    "Check that the publisher can reach Kafka and that the metrics topic exists.",
                    "If the job is gone for good, expect this alert to stay until its metrics"
                            + " return; silence it downstream.");

    public static final List<String> INPUT_SILENT =
            List.of(
                    "Check Flinkwatch's Kafka: are its brokers up and reachable from the publishers"
                            + " and from Flinkwatch's TaskManagers (the Flinkwatch job's log shows the"
                            + " source's connection errors)?",
                    "Check the metrics topic: does it exist, do its partitions have leaders, do"
                            + " its end offsets still grow (kafka-get-offsets)? The alert names the"
                            + " partitions whose jobs fell silent.",
                    "Check the publishers of the clusters the alert names: their logs show send"
                            + " failures, expired batches or refused credentials.",
                    "Until the input is back nothing about these jobs is known; jobs still silent"
                            + " after it returns page on their own (FlinkMetricsAbsent).");

    public static final List<String> CLUSTER_METRICS_ABSENT =
            List.of(
                    "Check the cluster in its Flink dashboard or with kubectl: is its JobManager up?",
                    "Check the cluster's publisher: the Flinkwatch reporter (JobManager and"
                            + " TaskManager logs) or the Prometheus bridge that scrapes it, and its way"
                            + " to Kafka.",
                    "If the cluster was decommissioned on purpose, its jobs retire after the state"
                            + " retention; silence the alert until then.");

    public static final List<String> CLOCK_SKEW =
            List.of(
                    "Read the offset in the alert and the CLOCK_SKEW dead letters: which cluster, which"
                            + " direction, how far. Until it is fixed, nothing about the cluster's"
                            + " jobs is monitored.",
                    "Check the clock of the cluster's hosts, where the publisher runs (JobManager"
                            + " and TaskManagers for the reporter, the bridge's host):"
                            + " `timedatectl`, `chronyc tracking`; fix NTP.",
                    "If the clock is right, check whether the publisher delivers snapshots late"
                            + " (a Kafka outage at the reporter, retries): the dead letters say how"
                            + " far behind the other jobs they arrive.",
                    "If the offset is expected and stable, raise --watermark.max-clock-skew: event"
                            + " time then waits that much longer for this cluster, delaying every"
                            + " other job's alerts by as much.");

    private Runbooks() {}

    /** The steps as one numbered text, for the {@code runbook} annotation. */
    public static String numbered(List<String> steps) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < steps.size(); i++) {
            if (i > 0) {
                text.append('\n');
            }
            text.append(i + 1).append(". ").append(steps.get(i));
        }
        return text.toString();
    }
}
