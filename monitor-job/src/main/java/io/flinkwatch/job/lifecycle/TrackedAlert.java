package io.flinkwatch.job.lifecycle;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.InhibitingAlert;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * An alert instance the lifecycle knows to be firing: published or held back by an inhibition, and
 * possibly cleared and waiting out the resolve hold.
 *
 * <p>Mutable with public fields, so that Flink keeps it in keyed state as a POJO.
 */
public final class TrackedAlert {

    /** {@link #clearedAt} when the condition still holds. */
    public static final long HOLDING = Long.MIN_VALUE;

    /** The alert name. */
    public String rule;

    /**
     * Labels as published in its FIRING event (identifying labels and job_id): the RESOLVED event
     * repeats them, so downstream systems that key alerts by label set match both.
     */
    public Map<String, String> labels;

    /**
     * Whether its identifying labels include the job id: it was raised while namesakes ran (jobs of
     * the same name on the cluster), so it concerns that job id alone.
     */
    public boolean identifiedByJobId;

    /** Event time it started firing (its condition's FIRE signal). */
    public long startsAt;

    /** The evidence it fired with. */
    public Evidence evidence;

    /** Whether consumers have seen it fire; an alert suppressed from its start has not. */
    public boolean published;

    /** Event time of the last FIRING event published for it. */
    public long lastNotifiedAt;

    /** Event time its condition stopped holding, or {@link #HOLDING}. */
    public long clearedAt = HOLDING;

    /** Whether its job was retired: it resolves without waiting out the resolve hold. */
    public boolean retired;

    /** What was observed when it cleared. */
    @Nullable public Evidence clearEvidence;

    /** The alerts that inhibit it, as last published (empty: not suppressed). */
    public List<InhibitingAlert> inhibitedBy = new ArrayList<>();

    public TrackedAlert() {}

    TrackedAlert(
            String rule,
            Map<String, String> labels,
            boolean identifiedByJobId,
            long startsAt,
            Evidence evidence) {
        this.rule = rule;
        this.identifiedByJobId = identifiedByJobId;
        this.labels = labels;
        this.startsAt = startsAt;
        this.evidence = evidence;
    }

    boolean cleared() {
        return clearedAt != HOLDING;
    }

    boolean suppressed() {
        return !inhibitedBy.isEmpty();
    }
}
