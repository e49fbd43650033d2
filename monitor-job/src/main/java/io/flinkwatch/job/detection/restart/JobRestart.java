package io.flinkwatch.job.detection.restart;

import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One restart of a monitored job, as the restart-loop pattern reads it ({@link
 * RestartLoopPattern}), keyed by the alert instance it counts towards.
 *
 * @param fingerprint the FlinkJobRestartLoop instance (the job; the run when namesakes run)
 * @param labels that instance's identifying labels
 * @param jobId the run that restarted
 * @param timestamp event time at which the restart was seen complete (the job runs again, or its
 *     counter grew)
 * @param outageSince when the observed outage began, or {@link RunRestarts#NOT_DOWN} when only the
 *     counter showed the restart
 * @param failureCause why the job failed, when the publisher reported it, or null
 */
public record JobRestart(
        String fingerprint,
        Map<String, String> labels,
        String jobId,
        long timestamp,
        long outageSince,
        @Nullable String failureCause) {

    public JobRestart {
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(jobId, "jobId");
    }

    /** How long the observed outage lasted, or -1 when none was observed. */
    public long outageMs() {
        return outageSince == RunRestarts.NOT_DOWN ? -1 : timestamp - outageSince;
    }
}
