package io.flinkwatch.job.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyedStateMetricsOperatorTest {

    @Test
    void theLagIsTheWallClockMinusTheWatermarkAndZeroWithoutOne() {
        assertThat(KeyedStateMetricsOperator.lagMs(Long.MIN_VALUE, 1_000_000)).isZero();
        assertThat(KeyedStateMetricsOperator.lagMs(Long.MAX_VALUE, 1_000_000)).isZero();
        assertThat(KeyedStateMetricsOperator.lagMs(940_000, 1_000_000)).isEqualTo(60_000);
        // A watermark ahead of this machine's clock (another host's clock) is no lag.
        assertThat(KeyedStateMetricsOperator.lagMs(1_000_500, 1_000_000)).isZero();
    }
}
