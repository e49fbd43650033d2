package io.flinkwatch.job.metrics;

/**
 * A count of facts kept in keyed state by one subtask (watched jobs, series), for a gauge: the task
 * thread moves it as keys and entries come and go, the metrics thread reads it. It starts from a
 * recount of the restored state ({@link KeyedStateMetricsOperator}), so it survives restarts.
 */
public final class StateCount {

    // Single writer (the task thread); volatile so that the reporter's thread sees the latest.
    private volatile long value;

    public void add(long delta) {
        value = value + delta;
    }

    public void set(long value) {
        this.value = value;
    }

    public long get() {
        return value;
    }
}
