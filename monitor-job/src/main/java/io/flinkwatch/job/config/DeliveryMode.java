package io.flinkwatch.job.config;

import org.apache.flink.connector.base.DeliveryGuarantee;

/** The delivery guarantee of the job's Kafka outputs. */
public enum DeliveryMode {
    /** Transactions committed on checkpoints: readers with read_committed see no duplicates. */
    EXACTLY_ONCE(DeliveryGuarantee.EXACTLY_ONCE),
    /** Flushed on checkpoints: lower latency, duplicates possible after a failure. */
    AT_LEAST_ONCE(DeliveryGuarantee.AT_LEAST_ONCE);

    private final DeliveryGuarantee guarantee;

    DeliveryMode(DeliveryGuarantee guarantee) {
        this.guarantee = guarantee;
    }

    public DeliveryGuarantee guarantee() {
        return guarantee;
    }
}
