package io.flinkwatch.job.config;

/** Which vertices FlinkThroughputDrop watches. */
public enum ThroughputScope {
    /**
     * Source vertices only: the job's intake. A drop there would repeat on every vertex downstream.
     */
    SOURCES,
    /** Every vertex. */
    ALL
}
