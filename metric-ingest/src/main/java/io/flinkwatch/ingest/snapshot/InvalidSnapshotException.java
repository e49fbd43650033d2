package io.flinkwatch.ingest.snapshot;

/** A record that cannot be accepted as a snapshot, with the reason and a readable message. */
public final class InvalidSnapshotException extends Exception {

    private final RejectionReason reason;

    public InvalidSnapshotException(RejectionReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectionReason reason() {
        return reason;
    }
}
