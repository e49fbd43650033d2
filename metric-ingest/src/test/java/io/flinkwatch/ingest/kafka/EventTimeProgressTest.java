package io.flinkwatch.ingest.kafka;

import static io.flinkwatch.ingest.kafka.EventTimeProgress.NONE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Out-of-orderness 5 s, idle timeout 2 s; clock readings in seconds (as nanoseconds). */
class EventTimeProgressTest {

    private static final long T = 1_767_571_200_000L;

    private final EventTimeProgress progress =
            new EventTimeProgress(Duration.ofSeconds(5), Duration.ofSeconds(2));

    @Test
    void theWatermarkIsTheNewestTimestampMinusOutOfOrdernessMinusOne() {
        assertThat(progress.watermark()).isEqualTo(NONE);

        assertThat(progress.onSnapshot(T + 10_000)).isTrue();
        assertThat(progress.onSnapshot(T + 12_000)).isTrue();
        // Older, or equal: no progress.
        assertThat(progress.onSnapshot(T + 11_000)).isFalse();
        assertThat(progress.onSnapshot(T + 12_000)).isFalse();

        assertThat(progress.newest()).isEqualTo(T + 12_000);
        // 12 000 − 5 000 − 1
        assertThat(progress.watermark()).isEqualTo(T + 6_999);
    }

    @Test
    void noTimestampIsNoProgress() {
        assertThat(progress.onSnapshot(NONE)).isFalse();
        assertThat(progress.watermark()).isEqualTo(NONE);
    }

    @Test
    void aTimestampTooSmallToSubtractFromHasNoWatermarkRatherThanAnOverflow() {
        progress.onSnapshot(Long.MIN_VALUE + 10);
        assertThat(progress.watermark()).isEqualTo(NONE);
    }

    @Test
    void idleOnlyAfterMoreThanTheTimeoutWithoutProgress() {
        // check at:  0 s   no progress yet: the countdown starts     → active
        //            2 s   2 s since 0 s (not more)                   → active
        //            2.5 s 2.5 s since 0 s                            → idle
        //            3 s   progress since the last check              → active
        //            4 s   no progress since 3 s: countdown from 4 s  → active
        //            6 s   2 s since 4 s                              → active
        //            6.5 s 2.5 s since 4 s                            → idle
        assertThat(progress.isIdle(seconds(0))).isFalse();
        assertThat(progress.isIdle(seconds(2))).isFalse();
        assertThat(progress.isIdle(seconds(2.5))).isTrue();
        progress.onSnapshot(T);
        assertThat(progress.isIdle(seconds(3))).isFalse();
        assertThat(progress.isIdle(seconds(4))).isFalse();
        assertThat(progress.isIdle(seconds(6))).isFalse();
        assertThat(progress.isIdle(seconds(6.5))).isTrue();
    }

    @Test
    void recordsThatDoNotMoveEventTimeDoNotKeepItActive() {
        progress.onSnapshot(T);
        assertThat(progress.isIdle(seconds(0))).isFalse();
        // Checks every 0.1 s; the countdown starts at the first, 0.1 s.
        for (int i = 1; i <= 21; i++) {
            progress.onSnapshot(T); // the same snapshot again
            progress.onSnapshot(T - 1_000); // an older one
            progress.onSnapshot(NONE); // a record without a timestamp
            assertThat(progress.isIdle(seconds(i * 0.1))).as("at %d00 ms", i).isFalse();
        }
        assertThat(progress.isIdle(seconds(2.2))).isTrue();
    }

    @Test
    void aZeroTimeoutTurnsIdlenessOff() {
        EventTimeProgress never = new EventTimeProgress(Duration.ofSeconds(5), Duration.ZERO);
        assertThat(never.isIdle(seconds(0))).isFalse();
        assertThat(never.isIdle(seconds(86_400))).isFalse();
    }

    @Test
    void negativeDurationsAreRejected() {
        assertThatThrownBy(() -> new EventTimeProgress(Duration.ofSeconds(-1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
    }

    private static long seconds(double seconds) {
        return (long) (seconds * 1_000_000_000L);
    }
}
