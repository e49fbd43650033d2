package io.flinkwatch.alerts.event;

/** Why an alert event was published: what changed for the alert instance. */
public enum AlertReason {
    /** The alert started firing (or, held back by an inhibition, was released and still holds). */
    STARTED,
    /** The alert is still firing: a re-notification after the repeat interval. */
    REPEATED,
    /** A firing alert is now inhibited by another alert; {@code inhibitedBy} says which. */
    SUPPRESSED,
    /** The inhibition of a firing alert ended and the alert still holds. */
    UNSUPPRESSED,
    /** The alert's condition stopped holding. */
    RESOLVED
}
