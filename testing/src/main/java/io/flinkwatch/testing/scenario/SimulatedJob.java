package io.flinkwatch.testing.scenario;

import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.ingest.snapshot.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated Flink job {@code Source: orders → Map: enrich → Sink: warehouse} whose metrics behave
 * as Flink 2.2 reports them: job-level metrics from the JobManager, task metrics per subtask, and
 * Kafka source and RocksDB metrics per operator. Everything is a deterministic function of time and
 * the scripted incidents, so a scenario always produces the same snapshots.
 *
 * <p>Healthy fluctuations are periodic (two-minute and seven-minute waves) rather than random, so
 * that a healthy job never looks like a sustained trend.
 */
public final class SimulatedJob {

    public static final String SOURCE = "Source: orders";
    public static final String MAP = "Map: enrich";
    public static final String SINK = "Sink: warehouse";
    public static final String SOURCE_TOPIC = "orders";
    public static final String COLUMN_FAMILY = "enrich-state";

    /** Task-manager reporters report a little after the job manager's. */
    static final long TASK_REPORT_DELAY_MS = 250;

    /** The failure cause a job reports while it is down (as a REST-polling publisher would). */
    public static final String OUTAGE_CAUSE = "java.lang.RuntimeException: simulated outage";

    private final String cluster;
    private final String handle;
    private final String name;
    private final int parallelism;
    private final double sourceRatePerSubtask;
    private final double dailyAmplitude;
    private final long checkpointIntervalMs;
    private final double baseCheckpointMs;
    private final double baseStateBytes;
    private final Topology topology;
    private final List<String> vertexIds;

    // Mutable run state.
    private int submission;
    private String jobId;
    private int attempt;
    private long runningSince = Long.MIN_VALUE;
    private boolean down;
    private long numRestarts;
    private long completedCheckpoints;
    private long failedCheckpoints;
    private long totalCheckpoints;
    private double lastCheckpointMs = -1;
    private long lastCompletedAt = -1;
    private long nextCheckpointAt = Long.MIN_VALUE;
    private double stateBytes;
    private final double[] lag;
    private final double[] consumedOffset;
    private final double[] committedOffset;
    private long previousTime = Long.MIN_VALUE;

    SimulatedJob(
            String cluster,
            String handle,
            String name,
            int parallelism,
            double sourceRatePerSubtask,
            double dailyAmplitude,
            Duration checkpointInterval) {
        this.cluster = cluster;
        this.handle = handle;
        this.name = name;
        this.parallelism = parallelism;
        this.sourceRatePerSubtask = sourceRatePerSubtask;
        this.dailyAmplitude = dailyAmplitude;
        this.checkpointIntervalMs = checkpointInterval.toMillis();
        this.baseCheckpointMs = 2_000;
        this.baseStateBytes = 50e6;
        this.stateBytes = baseStateBytes;
        this.vertexIds = List.of(vertexId(SOURCE), vertexId(MAP), vertexId(SINK));
        this.topology =
                new Topology(
                        List.of(
                                new Topology.Vertex(
                                        vertexIds.get(0), SOURCE, parallelism, List.of()),
                                new Topology.Vertex(
                                        vertexIds.get(1),
                                        MAP,
                                        parallelism,
                                        List.of(vertexIds.get(0))),
                                new Topology.Vertex(
                                        vertexIds.get(2),
                                        SINK,
                                        parallelism,
                                        List.of(vertexIds.get(1)))));
        this.lag = new double[parallelism];
        this.consumedOffset = new double[parallelism];
        this.committedOffset = new double[parallelism];
        this.jobId = jobId(0);
    }

    public String name() {
        return name;
    }

    /** What the scenario calls the job (its incidents name it): its name unless namesakes run. */
    public String handle() {
        return handle;
    }

    public String cluster() {
        return cluster;
    }

    public String jobId() {
        return jobId;
    }

    public Topology topology() {
        return topology;
    }

    public static String vertexId(String vertexName) {
        return String.format("%032x", (long) vertexName.hashCode() & 0xffffffffL);
    }

    private String jobId(int submission) {
        return String.format("%016x%016x", (long) handle.hashCode() & 0xffffffffL, submission + 1L);
    }

    /** The snapshots the job's publishers send at {@code time}, given the active incidents. */
    List<MetricSnapshot> step(
            long time, Duration sinceStart, Duration step, List<Incident> incidents) {
        double stepSeconds = previousTime == Long.MIN_VALUE ? 0 : (time - previousTime) / 1000.0;
        previousTime = time;
        if (runningSince == Long.MIN_VALUE) {
            // The scenario starts with a job that has been running for a day.
            runningSince = time - Duration.ofDays(1).toMillis();
            nextCheckpointAt = time;
        }
        Effects effects = Effects.at(sinceStart, step, incidents);

        if (effects.resubmitted) {
            submission++;
            jobId = jobId(submission);
            attempt = 0;
            numRestarts = 0;
            completedCheckpoints = 0;
            failedCheckpoints = 0;
            totalCheckpoints = 0;
            lastCheckpointMs = -1;
            lastCompletedAt = -1;
            runningSince = time;
            nextCheckpointAt = time + checkpointIntervalMs;
        } else if (effects.restarted) {
            restart(time);
        }
        if (effects.outage && !down) {
            down = true;
        } else if (!effects.outage && down) {
            down = false;
            restart(time);
        }

        double demand = sourceRatePerSubtask * effects.traffic * daily(time);
        double ramp = down ? 0 : Math.min(1.0, (time - runningSince) / 60_000.0);
        double capacity = effects.sinkCapacity * demand;
        double flow = Math.min(demand, capacity);

        if (down && effects.lagVisibleWhileDown) {
            for (int i = 0; i < parallelism; i++) {
                lag[i] += (demand + effects.lagGrowthPerSecond) * stepSeconds;
            }
        }
        if (!down) {
            runCheckpoints(time, effects);
            stateBytes += effects.stateLeakPerSecond * stepSeconds;
            for (int i = 0; i < parallelism; i++) {
                double backlog = (demand - flow) + effects.lagGrowthPerSecond;
                if (backlog > 0) {
                    lag[i] += backlog * stepSeconds;
                } else {
                    lag[i] = Math.max(0, lag[i] - demand * stepSeconds);
                }
                consumedOffset[i] += flow * stepSeconds;
                if (!effects.commitStalled
                        && !effects.checkpointsFailing
                        && lastCompletedAt == time) {
                    committedOffset[i] = consumedOffset[i];
                }
            }
        }

        if (effects.silent) {
            return List.of();
        }
        List<MetricSnapshot> snapshots = new ArrayList<>();
        snapshots.add(jobSnapshot(time));
        if (!down) {
            long taskTime = time + TASK_REPORT_DELAY_MS;
            for (int subtask = 0; subtask < parallelism; subtask++) {
                snapshots.addAll(taskSnapshots(taskTime, subtask, flow * ramp, effects));
            }
        } else if (effects.lagVisibleWhileDown) {
            for (int subtask = 0; subtask < parallelism; subtask++) {
                snapshots.add(sourceOperatorSnapshot(time + TASK_REPORT_DELAY_MS, subtask, 0));
            }
        }
        return snapshots;
    }

    private void restart(long time) {
        attempt++;
        numRestarts++;
        runningSince = time;
    }

    private void runCheckpoints(long time, Effects effects) {
        while (nextCheckpointAt <= time) {
            totalCheckpoints++;
            if (effects.checkpointsFailing) {
                failedCheckpoints++;
            } else {
                completedCheckpoints++;
                double duration = baseCheckpointMs * (1 + 0.1 * wave(nextCheckpointAt, 7));
                duration += effects.checkpointSlowdownMsPerMinute * effects.minutesIntoSlowdown;
                if (effects.checkpointTooSlowFactor > 0) {
                    duration = checkpointIntervalMs * effects.checkpointTooSlowFactor;
                }
                lastCheckpointMs = duration;
                lastCompletedAt = time;
            }
            nextCheckpointAt += checkpointIntervalMs;
        }
    }

    private MetricSnapshot jobSnapshot(long time) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(FlinkMetricNames.UPTIME, down ? 0.0 : (double) (time - runningSince));
        metrics.put(FlinkMetricNames.NUM_RESTARTS, (double) numRestarts);
        metrics.put(
                FlinkMetricNames.NUMBER_OF_COMPLETED_CHECKPOINTS, (double) completedCheckpoints);
        metrics.put(FlinkMetricNames.NUMBER_OF_FAILED_CHECKPOINTS, (double) failedCheckpoints);
        metrics.put(FlinkMetricNames.TOTAL_NUMBER_OF_CHECKPOINTS, (double) totalCheckpoints);
        metrics.put(FlinkMetricNames.NUMBER_OF_IN_PROGRESS_CHECKPOINTS, 0.0);
        metrics.put(
                FlinkMetricNames.LAST_CHECKPOINT_DURATION,
                lastCheckpointMs < 0 ? -1 : Math.rint(lastCheckpointMs));
        boolean hasCheckpoint = lastCompletedAt >= 0;
        metrics.put(
                FlinkMetricNames.LAST_CHECKPOINT_FULL_SIZE,
                hasCheckpoint ? Math.rint(stateBytes) : -1);
        metrics.put(
                FlinkMetricNames.LAST_CHECKPOINT_SIZE,
                hasCheckpoint ? Math.rint(stateBytes * 0.05) : -1);
        metrics.put(FlinkMetricNames.LAST_CHECKPOINT_COMPLETED_TIMESTAMP, (double) lastCompletedAt);
        JobRef job =
                new JobRef(
                        jobId,
                        name,
                        down ? "RESTARTING" : "RUNNING",
                        checkpointIntervalMs,
                        down ? OUTAGE_CAUSE : null);
        return new MetricSnapshot(time, cluster, job, Scope.job(), metrics, topology);
    }

    private List<MetricSnapshot> taskSnapshots(
            long time, int subtask, double flow, Effects effects) {
        JobRef job = JobRef.of(jobId, name);
        List<MetricSnapshot> snapshots = new ArrayList<>();
        boolean throttled = effects.sinkCapacity < 1.0;
        for (int v = 0; v < 3; v++) {
            String vertex = topology.vertices().get(v).name();
            String vertexId = vertexIds.get(v);
            double w = wave(time + v * 20_000L + subtask * 5_000L, 2);
            double rate = flow * (1 + 0.02 * w);
            if (v == 1 && subtask == 0 && effects.subtaskStalled) {
                rate = 0;
            }
            double busy;
            double backPressured;
            if (throttled) {
                busy = v == 2 ? 990 + 5 * w : 60 + 10 * w;
                backPressured = v == 2 ? 0 : 880 + 10 * w;
            } else {
                busy = (v == 1 ? 420 : 250) + 40 * w;
                backPressured = 0;
            }
            if (v == 1 && subtask == 0 && effects.subtaskStalled) {
                busy = 0;
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put(FlinkMetricNames.NUM_RECORDS_IN_PER_SECOND, v == 0 ? 0.0 : rate);
            metrics.put(FlinkMetricNames.NUM_RECORDS_OUT_PER_SECOND, v == 2 ? 0.0 : rate);
            metrics.put(FlinkMetricNames.BUSY_TIME_MS_PER_SECOND, busy);
            metrics.put(FlinkMetricNames.BACK_PRESSURED_TIME_MS_PER_SECOND, backPressured);
            metrics.put(
                    FlinkMetricNames.IDLE_TIME_MS_PER_SECOND,
                    Math.max(0, 1000 - busy - backPressured));
            metrics.put(FlinkMetricNames.IS_BACK_PRESSURED, backPressured > 500 ? 1.0 : 0.0);
            if (v > 0) {
                double alignmentMs = 5 + 2 * w;
                if (effects.alignmentShare > 0
                        && v == 1
                        && subtask == parallelism - 1
                        && lastCheckpointMs > 0) {
                    alignmentMs = lastCheckpointMs * effects.alignmentShare;
                }
                metrics.put(
                        FlinkMetricNames.CHECKPOINT_ALIGNMENT_TIME, Math.rint(alignmentMs * 1e6));
            }
            snapshots.add(
                    new MetricSnapshot(
                            time,
                            cluster,
                            job,
                            Scope.task(vertexId, vertex, subtask, attempt),
                            metrics,
                            null));
        }
        snapshots.add(sourceOperatorSnapshot(time, subtask, flow));
        snapshots.add(mapOperatorSnapshot(time, subtask, effects));
        return snapshots;
    }

    private MetricSnapshot sourceOperatorSnapshot(long time, int subtask, double flow) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        // A healthy consumer hovers a little behind the head of the log.
        double healthyLag = 40 + 20 * wave(time + subtask * 11_000L, 2);
        metrics.put(
                FlinkMetricNames.RECORDS_LAG_MAX,
                Math.rint(Math.max(lag[subtask], 0) + healthyLag));
        metrics.put(FlinkMetricNames.RECORDS_CONSUMED_RATE, flow);
        String partition = "KafkaSourceReader.topic." + SOURCE_TOPIC + ".partition." + subtask;
        metrics.put(partition + ".currentOffset", Math.rint(consumedOffset[subtask]));
        metrics.put(partition + ".committedOffset", Math.rint(committedOffset[subtask]));
        return new MetricSnapshot(
                time,
                cluster,
                JobRef.of(jobId, name),
                Scope.operator(
                        vertexIds.get(0), SOURCE, subtask, attempt, vertexIds.get(0), SOURCE),
                metrics,
                null);
    }

    private MetricSnapshot mapOperatorSnapshot(long time, int subtask, Effects effects) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(
                COLUMN_FAMILY + "." + FlinkMetricNames.ROCKSDB_COMPACTION_PENDING,
                effects.compactionPending ? 1.0 : 0.0);
        return new MetricSnapshot(
                time,
                cluster,
                JobRef.of(jobId, name),
                Scope.operator(
                        vertexIds.get(1), MAP, subtask, attempt, vertexId("enrich"), "enrich"),
                metrics,
                null);
    }

    /** Traffic over the day: 1 ± amplitude, peaking at 14:00 UTC. */
    private double daily(long time) {
        if (dailyAmplitude == 0) {
            return 1.0;
        }
        double hours = (time % 86_400_000L) / 3_600_000.0;
        return 1 + dailyAmplitude * Math.cos(2 * Math.PI * (hours - 14) / 24);
    }

    /** A deterministic wave in [-1, 1] with the given period in minutes. */
    static double wave(long time, int periodMinutes) {
        return Math.sin(
                2 * Math.PI * (time % (periodMinutes * 60_000L)) / (periodMinutes * 60_000.0));
    }

    /** The effect of the active incidents at one step. */
    private static final class Effects {
        boolean outage;
        boolean silent;
        boolean restarted;
        boolean resubmitted;
        double sinkCapacity = Double.POSITIVE_INFINITY;
        boolean checkpointsFailing;
        double checkpointSlowdownMsPerMinute;
        double minutesIntoSlowdown;
        boolean lagVisibleWhileDown;
        double checkpointTooSlowFactor;
        double alignmentShare;
        double stateLeakPerSecond;
        double traffic = 1.0;
        boolean subtaskStalled;
        double lagGrowthPerSecond;
        boolean commitStalled;
        boolean compactionPending;

        static Effects at(Duration sinceStart, Duration step, List<Incident> incidents) {
            Effects effects = new Effects();
            for (Incident incident : incidents) {
                if (incident.startsAt(sinceStart, step)) {
                    if (incident.kind() == IncidentKind.RESTART) {
                        effects.restarted = true;
                    } else if (incident.kind() == IncidentKind.RESUBMIT) {
                        effects.resubmitted = true;
                    }
                }
                if (!incident.activeAt(sinceStart)) {
                    continue;
                }
                double m = incident.magnitude();
                switch (incident.kind()) {
                    case OUTAGE -> effects.outage = true;
                    case OUTAGE_WITH_LAG -> {
                        effects.outage = true;
                        effects.lagVisibleWhileDown = true;
                    }
                    case SILENCE -> effects.silent = true;
                    case SINK_THROTTLED -> effects.sinkCapacity = m;
                    case CHECKPOINT_FAILURES -> effects.checkpointsFailing = true;
                    case CHECKPOINT_SLOWDOWN -> {
                        effects.checkpointSlowdownMsPerMinute = m;
                        effects.minutesIntoSlowdown =
                                sinceStart.minus(incident.from()).toMillis() / 60_000.0;
                    }
                    case CHECKPOINT_TOO_SLOW -> effects.checkpointTooSlowFactor = m;
                    case ALIGNMENT_SKEW -> effects.alignmentShare = m;
                    case STATE_LEAK -> effects.stateLeakPerSecond = m;
                    case TRAFFIC_DROP -> effects.traffic = m;
                    case SUBTASK_STALL -> effects.subtaskStalled = true;
                    case LAG_GROWTH -> effects.lagGrowthPerSecond = m;
                    case COMMIT_STALL -> effects.commitStalled = true;
                    case COMPACTION_PENDING -> effects.compactionPending = true;
                    case RESTART, RESUBMIT -> {}
                }
            }
            return effects;
        }
    }
}
