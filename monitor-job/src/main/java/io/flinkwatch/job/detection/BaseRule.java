package io.flinkwatch.job.detection;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The fixed properties every rule has; subclasses add the condition and the texts. */
public abstract class BaseRule implements Rule {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final Severity severity;
    private final Duration sustainFor;
    private final List<String> runbook;

    protected BaseRule(String name, Severity severity, Duration sustainFor, List<String> runbook) {
        this.name = name;
        this.severity = severity;
        this.sustainFor = sustainFor;
        this.runbook = List.copyOf(runbook);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Severity severity() {
        return severity;
    }

    @Override
    public final Duration sustainFor() {
        return sustainFor;
    }

    @Override
    public final List<String> runbook() {
        return runbook;
    }

    /** The outcome "this rule's condition holds for the instance with these labels". */
    protected final RuleOutcome holds(Map<String, String> labels, String jobId, Evidence evidence) {
        return new RuleOutcome(name, sustainFor.toMillis(), labels, jobId, evidence);
    }
}
