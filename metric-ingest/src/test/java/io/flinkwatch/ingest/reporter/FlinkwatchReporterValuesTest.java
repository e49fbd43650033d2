package io.flinkwatch.ingest.reporter;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;

class FlinkwatchReporterValuesTest {

    @Test
    void countersMetersAndNumericOrBooleanGaugesAreReported() {
        SimpleCounter counter = new SimpleCounter();
        counter.inc(42);
        assertThat(FlinkwatchReporter.valueOf(counter)).isEqualTo(42.0);
        assertThat(FlinkwatchReporter.valueOf(new MeterView(counter))).isEqualTo(0.0);
        assertThat(FlinkwatchReporter.valueOf((Gauge<Long>) () -> 7L)).isEqualTo(7.0);
        assertThat(FlinkwatchReporter.valueOf((Gauge<Double>) () -> 987.5)).isEqualTo(987.5);
        assertThat(FlinkwatchReporter.valueOf((Gauge<Boolean>) () -> true)).isEqualTo(1.0);
        assertThat(FlinkwatchReporter.valueOf((Gauge<Boolean>) () -> false)).isEqualTo(0.0);
    }

    @Test
    void textNaNFailingGaugesAndHistogramsAreLeftOut() {
        assertThat(FlinkwatchReporter.valueOf((Gauge<String>) () -> "RUNNING")).isNull();
        assertThat(FlinkwatchReporter.valueOf((Gauge<Double>) () -> Double.NaN)).isNull();
        assertThat(FlinkwatchReporter.valueOf((Gauge<Double>) () -> Double.POSITIVE_INFINITY))
                .isNull();
        assertThat(FlinkwatchReporter.valueOf((Gauge<Long>) () -> null)).isNull();
        assertThat(
                        FlinkwatchReporter.valueOf(
                                (Gauge<Long>)
                                        () -> {
                                            throw new IllegalStateException("RocksDB closed");
                                        }))
                .isNull();
        assertThat(
                        FlinkwatchReporter.valueOf(
                                new Histogram() {
                                    @Override
                                    public void update(long value) {}

                                    @Override
                                    public long getCount() {
                                        return 0;
                                    }

                                    @Override
                                    public HistogramStatistics getStatistics() {
                                        return null;
                                    }
                                }))
                .isNull();
    }
}
