package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import io.flinkwatch.job.detection.BaseRule;
import io.flinkwatch.job.detection.Runbooks;
import java.time.Duration;
import java.util.Map;

/**
 * FlinkJobRestartLoop: the job restarted at least {@code restarts} times within {@code within}, a
 * crash loop. Detected by a CEP sequence pattern over the job's restarts ({@link
 * io.flinkwatch.job.detection.restart.RestartLoopPattern}), so it fires however short each outage
 * is; it resolves when the job has gone {@code within} without a restart.
 */
public final class JobRestartLoop extends BaseRule {

    public static final String NAME = "FlinkJobRestartLoop";

    /** Evidence: when the restarts of the match happened, as ISO-8601 instants. */
    public static final String RESTART_TIMES = "restartTimes";

    /** Evidence: the newest failure cause the publisher reported. */
    public static final String FAILURE_CAUSE = "lastFailureCause";

    /** Evidence: the newest restart before the alert cleared. */
    public static final String LAST_RESTART = "lastRestart";

    private final int restarts;
    private final Duration within;

    public JobRestartLoop(int restarts, Duration within) {
        super(NAME, Severity.CRITICAL, Duration.ZERO, Runbooks.RESTART_LOOP);
        if (restarts < 1 || within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("restarts >= 1 within a positive duration");
        }
        this.restarts = restarts;
        this.within = within;
    }

    /** How many restarts make a loop. */
    public int restarts() {
        return restarts;
    }

    /** The span they must fall in; also how long without a restart resolves the alert. */
    public Duration within() {
        return within;
    }

    @Override
    public String summary(Map<String, String> labels, Evidence evidence) {
        return "Flink job "
                + labels.get(AlertLabels.JOB_NAME)
                + " on "
                + labels.get(AlertLabels.CLUSTER)
                + " is restarting in a loop";
    }

    @Override
    public String description(Map<String, String> labels, Evidence evidence) {
        StringBuilder text =
                new StringBuilder("The job restarted ")
                        .append(restarts)
                        .append(" times within ")
                        .append(Texts.words(within));
        String times = evidence.facts().get(RESTART_TIMES);
        if (times != null) {
            text.append(" (at ").append(times).append(')');
        }
        text.append('.');
        String cause = evidence.facts().get(FAILURE_CAUSE);
        if (cause != null) {
            text.append(" Last failure cause: ").append(cause).append('.');
        }
        return text.append(
                        " Each outage may be too short for FlinkJobNotRunning, which this alert"
                                + " inhibits for the job while it fires. It resolves when the job has"
                                + " gone ")
                .append(Texts.words(within))
                .append(" without a restart.")
                .toString();
    }
}
