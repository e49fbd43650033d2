package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.ingest.snapshot.FlinkMetricNames;
import io.flinkwatch.ingest.snapshot.JobStatuses;
import io.flinkwatch.job.analytics.job.JobHealthRule;
import io.flinkwatch.job.analytics.job.JobHealthState;
import io.flinkwatch.job.detection.AlertInstances;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.RuleOutcome;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FlinkJobNotRunning: the article's {@code flink_jobmanager_job_uptime == 0 for 2m}. Where the
 * publisher reports the job status, the status decides instead: anything but RUNNING counts, unless
 * the job was ended on purpose (cancelled or finished).
 */
public final class JobNotRunning extends BaseRule implements JobHealthRule {

    public static final String NAME = "FlinkJobNotRunning";

    public JobNotRunning(Duration sustainFor) {
        super(NAME, Severity.CRITICAL, sustainFor, Runbooks.JOB_NOT_RUNNING);
    }

    @Override
    public Set<String> metrics() {
        return Set.of(FlinkMetricNames.UPTIME, FlinkMetricNames.RUNNING_TIME);
    }

    @Override
    public long rangeMs() {
        return 0;
    }

    @Override
    public void evaluate(
            JobHealthState job, long time, EvaluationContext context, List<RuleOutcome> holding) {
        double uptime = job.uptime(time, context.lookbackMs());
        String status = job.status(time, context.lookbackMs());
        if (JobStatuses.endedOnPurpose(status)) {
            return;
        }
        // A reported status is the more precise signal: RUNNING with uptime 0 is a job that just
        // (re)started. Without a status, the article's uptime == 0 decides.
        boolean notRunning = status != null ? !JobStatuses.RUNNING.equals(status) : uptime == 0;
        if (!notRunning) {
            return;
        }
        Evidence.Builder evidence = Evidence.builder().fact("status", status);
        if (!Double.isNaN(uptime)) {
            evidence.value("uptimeMs", uptime);
        }
        holding.add(
                holds(
                        AlertInstances.job(this, job.cluster, job.jobName),
                        job.jobId,
                        evidence.build()));
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "Flink job "
                + labels.get("job_name")
                + " on "
                + labels.get("cluster")
                + " is not running";
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        String status = evidence.facts().get("status");
        return "The job has reported "
                + (status != null ? "status " + status : "an uptime of 0")
                + " for at least "
                + Texts.words(sustainFor())
                + ". While it is down it processes nothing and its checkpoint, throughput and lag"
                + " alerts are inhibited.";
    }
}
