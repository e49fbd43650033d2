package io.flinkwatch.testing.backtest;

import static io.flinkwatch.testing.backtest.Events.event;
import static io.flinkwatch.testing.backtest.Events.min;
import static io.flinkwatch.testing.backtest.Events.resolved;
import static io.flinkwatch.testing.backtest.Events.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertReason;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EpisodesTest {

    private static final Duration FOR = Duration.ofMinutes(10);

    @Test
    void anEpisodeRunsFromStartedToResolvedWithItsSuppressedSpan() {
        List<Episode> episodes =
                Episodes.of(
                        List.of(
                                started("a", 20),
                                event(
                                        "a",
                                        "FlinkHighBackpressure",
                                        AlertReason.SUPPRESSED,
                                        20,
                                        null,
                                        30,
                                        true),
                                event(
                                        "a",
                                        "FlinkHighBackpressure",
                                        AlertReason.UNSUPPRESSED,
                                        20,
                                        null,
                                        34,
                                        false),
                                resolved("a", 20, 50, 55)),
                        name -> FOR);

        assertThat(episodes).hasSize(1);
        Episode episode = episodes.get(0);
        // Fired at 20m after holding for 10m: pending from 10m.
        assertThat(episode.pendingFrom()).isEqualTo(min(10));
        assertThat(episode.startsAt()).isEqualTo(min(20));
        assertThat(episode.endsAt()).isEqualTo(min(50));
        // RESOLVED comes after the 5m resolve hold.
        assertThat(episode.resolvedAt()).isEqualTo(min(55));
        assertThat(episode.suppressed()).containsExactly(new Episode.Span(min(30), min(34)));
        assertThat(episode.suppressedMs(min(90))).isEqualTo(Duration.ofMinutes(4).toMillis());
        assertThat(episode.firing(min(90)).length()).isEqualTo(Duration.ofMinutes(30).toMillis());
        assertThat(episode.events()).hasSize(4);
        assertThat(episode.evidence().values()).containsEntry("busyTimeMsPerSecond", 990.0);
    }

    @Test
    void anAlertThatStartsAgainIsASecondEpisode() {
        List<Episode> episodes =
                Episodes.of(
                        List.of(
                                started("a", 20),
                                resolved("a", 20, 30, 35),
                                started("a", 60),
                                resolved("a", 60, 70, 75)),
                        name -> FOR);

        assertThat(episodes).extracting(Episode::startsAt).containsExactly(min(20), min(60));
        assertThat(episodes).extracting(Episode::endsAt).containsExactly(min(30), min(70));
    }

    @Test
    void anEpisodeStillFiringAtTheEndFiresAndIsSuppressedToTheEnd() {
        List<Episode> episodes =
                Episodes.of(
                        List.of(
                                started("a", 20),
                                event(
                                        "a",
                                        "FlinkHighBackpressure",
                                        AlertReason.SUPPRESSED,
                                        20,
                                        null,
                                        40,
                                        true)),
                        name -> FOR);

        Episode episode = episodes.get(0);
        assertThat(episode.endsAt()).isNull();
        assertThat(episode.resolvedAt()).isNull();
        // Recording ends at 60m: firing 40m, of which the last 20m suppressed.
        assertThat(episode.firing(min(60)).length()).isEqualTo(Duration.ofMinutes(40).toMillis());
        assertThat(episode.suppressedMs(min(60))).isEqualTo(Duration.ofMinutes(20).toMillis());
    }

    @Test
    void aRecordingThatStartsMidEpisodeBeginsItWithTheFirstEventSeen() {
        List<Episode> episodes =
                Episodes.of(List.of(resolved("a", 5, 12, 17), started("b", 30)), name -> FOR);

        assertThat(episodes).hasSize(2);
        assertThat(episodes.get(0).fingerprint()).isEqualTo("a");
        assertThat(episodes.get(0).startsAt()).isEqualTo(min(5));
        assertThat(episodes.get(0).endsAt()).isEqualTo(min(12));
        assertThat(episodes.get(1).endsAt()).isNull();
    }

    @Test
    void episodesOfDifferentAlertsInterleaveAndComeOutInTimeOrder() {
        List<Episode> episodes =
                Episodes.of(
                        List.of(
                                started("b", 25),
                                started("a", 20),
                                resolved("b", 25, 40, 45),
                                resolved("a", 20, 30, 35)),
                        name -> Duration.ZERO);

        assertThat(episodes).extracting(Episode::fingerprint).containsExactly("a", "b");
        assertThat(episodes.get(0).pendingFrom()).isEqualTo(min(20));
    }
}
