package io.flinkwatch.job.analytics.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.Snapshots;
import org.junit.jupiter.api.Test;

class SubtaskSamplesTest {

    private static SubtaskSamples samplesAt(long... times) {
        SubtaskSamples samples = new SubtaskSamples();
        for (long time : times) {
            samples.add(
                    Snapshots.job("orders")
                            .task("Map", 0, 0)
                            .metric("busyTimeMsPerSecond", time)
                            .at(time)
                            .build());
        }
        return samples;
    }

    @Test
    void olderSamplesThanTheOneReadAreDroppedAFewAtATimeAndReadsStayTheSame() {
        SubtaskSamples samples = samplesAt(15_000, 30_000, 45_000, 60_000, 75_000, 90_000);

        samples.evict(60_000);
        // Three samples before the one read at 60 s: kept until there are four.
        assertThat(samples.times).containsExactly(15_000, 30_000, 45_000, 60_000, 75_000, 90_000);
        assertThat(samples.busy[samples.latest(60_000, 300_000)]).isEqualTo(60_000);
        assertThat(samples.busy[samples.latest(89_999, 300_000)]).isEqualTo(75_000);

        samples.evict(75_000);
        assertThat(samples.times).containsExactly(75_000, 90_000);
        assertThat(samples.busy).containsExactly(75_000, 90_000);
        assertThat(samples.busy[samples.latest(89_999, 300_000)]).isEqualTo(75_000);
        assertThat(samples.latest(74_999, 300_000)).isEqualTo(-1);
    }
}
