package io.flinkwatch.testing.scenario;

/** What can go wrong with a simulated job, as the article describes it. */
public enum IncidentKind {
    /** The job is restarting: uptime 0, status RESTARTING, no task metrics. */
    OUTAGE,
    /**
     * An outage during which the consumer lag is still reported (as an external lag poller does):
     * it grows with all the traffic the job does not consume.
     */
    OUTAGE_WITH_LAG,
    /** Nothing at all is published for the job (the job or its publisher is gone). */
    SILENCE,
    /** The sink can take only {@code magnitude} × the demand: backpressure upstream, lag grows. */
    SINK_THROTTLED,
    /** Every checkpoint fails. */
    CHECKPOINT_FAILURES,
    /** Checkpoint duration grows by {@code magnitude} milliseconds per minute. */
    CHECKPOINT_SLOWDOWN,
    /** Checkpoint duration is {@code magnitude} × the checkpoint interval. */
    CHECKPOINT_TOO_SLOW,
    /** Barrier alignment takes {@code magnitude} of the checkpoint duration (skew, slow disk). */
    ALIGNMENT_SKEW,
    /** State grows by {@code magnitude} bytes per second. */
    STATE_LEAK,
    /** Incoming traffic drops to {@code magnitude} × normal. */
    TRAFFIC_DROP,
    /** Subtask 0 of the map vertex stops emitting records while its peers go on. */
    SUBTASK_STALL,
    /** Consumer lag grows by {@code magnitude} records per second on every source subtask. */
    LAG_GROWTH,
    /** Offsets are no longer committed (committed offset falls behind the consumed one). */
    COMMIT_STALL,
    /** RocksDB reports pending compactions on the map vertex. */
    COMPACTION_PENDING,
    /** The job restarts once at the incident's start (counters and meters reset; same job id). */
    RESTART,
    /** The job is resubmitted at the incident's start under a new job id. */
    RESUBMIT
}
