package io.flinkwatch.ingest.snapshot;

/** Why a record from the metrics topic was not accepted as a snapshot. */
public enum RejectionReason {
    /** The record is larger than the configured size limit. */
    TOO_LARGE,
    /** The record is not a well-formed JSON object (or has trailing content). */
    MALFORMED_JSON,
    /** The record declares a wire format version this monitor does not read. */
    UNSUPPORTED_VERSION,
    /** A required field is absent. */
    MISSING_FIELD,
    /** A field has the wrong type, an out-of-range value or a non-finite number. */
    INVALID_FIELD,
    /** The timestamp is before 2000 or too far in the future to be a real observation. */
    IMPLAUSIBLE_TIMESTAMP,
    /**
     * A valid snapshot older than its own job's newest snapshot by more than the out-of-orderness.
     */
    LATE,
    /**
     * A valid snapshot whose job's clock is further off than the bound: ahead of the monitor's own
     * clock, or away from the other jobs of its partition. The message names the job, its cluster
     * and the offset.
     */
    CLOCK_SKEW
}
