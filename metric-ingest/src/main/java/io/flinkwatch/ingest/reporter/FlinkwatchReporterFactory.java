package io.flinkwatch.ingest.reporter;

import java.util.Properties;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Creates the {@link FlinkwatchReporter}. Configured in the monitored cluster's {@code config.yaml}
 * with {@code metrics.reporter.flinkwatch.factory.class:
 * io.flinkwatch.ingest.reporter.FlinkwatchReporterFactory}; found by Flink in the {@code plugins/}
 * directory.
 */
public final class FlinkwatchReporterFactory implements MetricReporterFactory {

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new FlinkwatchReporter();
    }
}
