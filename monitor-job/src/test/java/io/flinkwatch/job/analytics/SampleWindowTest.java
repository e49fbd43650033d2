package io.flinkwatch.job.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SampleWindowTest {

    @Test
    void keepsSamplesInTimeOrderWhateverTheArrivalOrder() {
        SampleWindow window = new SampleWindow();
        window.add(30, 3);
        window.add(10, 1);
        window.add(20, 2);

        assertThat(window.times()).containsExactly(10, 20, 30);
        assertThat(window.values()).containsExactly(1, 2, 3);
    }

    @Test
    void twoSamplesAtOneInstantKeepTheLargerValueInEitherOrder() {
        SampleWindow a = new SampleWindow();
        a.add(10, 1);
        a.add(10, 5);
        SampleWindow b = new SampleWindow();
        b.add(10, 5);
        b.add(10, 1);

        assertThat(a.values()).containsExactly(5);
        assertThat(b.values()).containsExactly(5);
    }

    @Test
    void latestIgnoresSamplesAfterTheEvaluationAndStaleOnes() {
        SampleWindow window = new SampleWindow();
        window.add(10_000, 1);
        window.add(20_000, 2);

        assertThat(window.latest(15_000, 60_000)).isEqualTo(1);
        assertThat(window.latest(20_000, 60_000)).isEqualTo(2);
        assertThat(window.latest(5_000, 60_000)).isNaN();
        // Stale: the newest sample is 60 s or more before the evaluation.
        assertThat(window.latest(80_000, 60_000)).isNaN();
        assertThat(window.latest(79_999, 60_000)).isEqualTo(2);
    }

    @Test
    void rangesAreOpenOnTheLeftAndClosedOnTheRight() {
        SampleWindow window = new SampleWindow();
        for (int i = 0; i <= 4; i++) {
            window.add(i * 1000L, i * 10);
        }
        // (1 s, 4 s] holds 2, 3, 4 s.
        assertThat(window.count(4000, 3000)).isEqualTo(3);
        assertThat(window.slopePerSecond(4000, 3000)).isCloseTo(10.0, within(1e-12));
    }

    @Test
    void evictionDropsOnlyOldSamples() {
        SampleWindow window = new SampleWindow();
        window.add(1, 1);
        window.add(2, 2);
        window.add(3, 3);

        window.evictAtOrBefore(2);

        assertThat(window.times()).containsExactly(3);
        window.evictAtOrBefore(10);
        assertThat(window.isEmpty()).isTrue();
    }

    @Test
    void aLongWindowDropsStaleSamplesOnceTheyAreAnEighthOfItAndReadsTheSame() {
        SampleWindow window = new SampleWindow();
        for (int t = 1; t <= 80; t++) {
            window.add(t, t * t);
        }
        int count = window.count(80, 71);
        double slope = window.slopePerSecond(80, 71);
        double increase = window.increase(80, 71);

        window.evictAtOrBefore(9);

        // Nine stale samples of 80 stay, and ranges after them read as before.
        assertThat(window.size()).isEqualTo(80);
        assertThat(window.count(80, 71)).isEqualTo(count).isEqualTo(71);
        assertThat(window.slopePerSecond(80, 71)).isEqualTo(slope);
        assertThat(window.increase(80, 71)).isEqualTo(increase);

        window.evictAtOrBefore(10);
        assertThat(window.times()).hasSize(70).startsWith(11);
    }
}
