package io.flinkwatch.job.detection;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An alert Flinkwatch can raise: its name, severity, how long its condition must hold, and how it
 * explains itself to the person paged. Each family of rules adds the evaluation of its condition.
 */
public interface Rule extends Serializable {

    /** The alert name, e.g. {@code FlinkJobNotRunning}. */
    String name();

    Severity severity();

    /** How long the condition must hold at every evaluation before the alert fires. */
    Duration sustainFor();

    /** The runbook steps. */
    List<String> runbook();

    /** One line: what is wrong, where. */
    String summary(Map<String, String> labels, Evidence evidence);

    /** A few sentences: what was observed and why it matters. */
    String description(Map<String, String> labels, Evidence evidence);
}
