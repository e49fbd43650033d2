package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.Map;

/**
 * FlinkwatchInputSilent: many watched jobs, on two clusters or more, fell silent together. The
 * fault is in Flinkwatch's own input (its Kafka, the metrics topic, the publishers' way to it), not
 * in the jobs: one alert instead of a FlinkMetricsAbsent per job, which are held while it fires.
 * Decided by {@code SilenceGate} from the absence detector's signals.
 */
public final class InputSilent extends BaseRule {

    public static final String NAME = "FlinkwatchInputSilent";

    private final int minJobs;

    public InputSilent(int minJobs) {
        super(NAME, Severity.CRITICAL, Duration.ZERO, Runbooks.INPUT_SILENT);
        this.minJobs = minJobs;
    }

    /** The fewest jobs falling silent together that make an input failure. */
    public int minJobs() {
        return minJobs;
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        Double jobs = evidence.values().get("silentJobs");
        return "Flinkwatch receives no metrics from "
                + (jobs == null ? "many jobs" : jobs.longValue() + " jobs")
                + " at once: its input failed";
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        return "Jobs of clusters "
                + evidence.facts().getOrDefault("clusters", "(unknown)")
                + " stopped sending snapshots together (partitions "
                + evidence.facts().getOrDefault("partitions", "unknown")
                + "). A cause shared by jobs of several clusters is upstream of them: Flinkwatch's"
                + " Kafka, the metrics topic, or the publishers' way to it. FlinkMetricsAbsent is"
                + " held for these jobs while this fires; a job still silent once the input is back"
                + " gets its own.";
    }
}
