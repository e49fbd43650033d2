package io.flinkwatch.job.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/**
 * An operator metric group for harness tests that keeps every metric registered in it or its
 * subgroups, by path: {@code addGroup("reason", "LATE").counter("numDeadLetters")} is {@code
 * reason.LATE.numDeadLetters}. (Flink's intercepting group drops what subgroups register.)
 */
public final class RecordingMetricGroup extends InterceptingOperatorMetricGroup {

    private final Map<String, Metric> metrics;
    private final String prefix;

    public RecordingMetricGroup() {
        this(new ConcurrentHashMap<>(), "");
    }

    private RecordingMetricGroup(Map<String, Metric> metrics, String prefix) {
        this.metrics = metrics;
        this.prefix = prefix;
    }

    @Override
    protected void addMetric(String name, Metric metric) {
        // Flink's group registers its own I/O metrics while it is constructed, before our fields.
        if (metrics != null) {
            metrics.put(prefix + name, metric);
        }
    }

    @Override
    public Metric get(String path) {
        return metrics.get(path);
    }

    @Override
    public MetricGroup addGroup(String name) {
        return new RecordingMetricGroup(metrics, prefix + name + ".");
    }

    @Override
    public MetricGroup addGroup(String key, String value) {
        return new RecordingMetricGroup(metrics, prefix + key + "." + value + ".");
    }

    public long count(String path) {
        Metric metric = metrics.get(path);
        if (!(metric instanceof Counter counter)) {
            throw new AssertionError("no counter " + path + " in " + metrics.keySet());
        }
        return counter.getCount();
    }

    public Object value(String path) {
        Metric metric = metrics.get(path);
        if (!(metric instanceof Gauge<?> gauge)) {
            throw new AssertionError("no gauge " + path + " in " + metrics.keySet());
        }
        return gauge.getValue();
    }

    public boolean hasMeter(String path) {
        return metrics.get(path) instanceof Meter;
    }

    /** A mock task environment whose operator metric group is this one. */
    public MockEnvironment environment() {
        RecordingMetricGroup operator = this;
        return new MockEnvironmentBuilder()
                .setMetricGroup(
                        new InterceptingTaskMetricGroup() {
                            @Override
                            public InternalOperatorMetricGroup getOrAddOperator(
                                    OperatorID id,
                                    String name,
                                    Map<String, String> additionalVariables) {
                                return operator;
                            }
                        })
                .build();
    }
}
