package io.flinkwatch.testing.backtest;

import static io.flinkwatch.testing.backtest.Events.min;
import static io.flinkwatch.testing.backtest.Events.resolved;
import static io.flinkwatch.testing.backtest.Events.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.job.config.FlinkwatchConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BacktestTest {

    @Test
    void theTopEpisodesAreCriticalFirstThenTheLongestFiring() {
        AlertEvent warningStart =
                new AlertEvent(
                        "FlinkHighBackpressure",
                        io.flinkwatch.alerts.event.Severity.WARNING,
                        io.flinkwatch.alerts.event.AlertStatus.FIRING,
                        Map.of(
                                "alertname",
                                "FlinkHighBackpressure",
                                "cluster",
                                "c",
                                "job_name",
                                "j"),
                        Map.of(),
                        min(0),
                        null,
                        "warn",
                        "g",
                        Evidence.none(),
                        AlertReason.STARTED,
                        min(0),
                        List.of());
        List<Episode> episodes =
                new ArrayList<>(
                        Episodes.of(
                                List.of(
                                        warningStart,
                                        // Critical, 10 minutes.
                                        started("short", 10),
                                        resolved("short", 10, 20, 25),
                                        // Critical, 30 minutes.
                                        started("long", 30),
                                        resolved("long", 30, 60, 65)),
                                name -> Duration.ZERO));

        episodes.sort(Backtest.rank(min(90)));

        // The warning fires longest (90 minutes, to the end) but comes after both critical ones.
        assertThat(episodes)
                .extracting(Episode::fingerprint)
                .containsExactly("long", "short", "warn");
    }

    @Test
    void alertNamesTakeTurnsSoThatOneNoisyAlertCannotTakeEveryPlot() {
        List<AlertEvent> events = new ArrayList<>();
        // Three long lag episodes, one short backpressure episode (all critical).
        for (String fp : List.of("lag1", "lag2", "lag3")) {
            events.add(
                    Events.event(fp, "FlinkLagGrowing", AlertReason.STARTED, 10, null, 10, false));
            events.add(
                    Events.event(fp, "FlinkLagGrowing", AlertReason.RESOLVED, 10, 80.0, 85, false));
        }
        events.add(started("busy", 40));
        events.add(resolved("busy", 40, 45, 50));
        List<Episode> episodes = Episodes.of(events, name -> Duration.ZERO);

        List<Episode> order = Backtest.top(episodes, java.util.Set.of(), min(90));
        assertThat(order)
                .extracting(Episode::fingerprint)
                .containsExactly("lag1", "busy", "lag2", "lag3");

        // With --compare, what the change touches comes first.
        java.util.Set<Episode> changed =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        changed.add(
                episodes.stream()
                        .filter(e -> e.fingerprint().equals("lag3"))
                        .findFirst()
                        .orElseThrow());
        assertThat(Backtest.top(episodes, changed, min(90)))
                .extracting(Episode::fingerprint)
                .containsExactly("lag3", "lag1", "busy", "lag2");
    }

    @Test
    void aPlotShowsTheEpisodeWithAMarginWithinTheRecording() {
        Episode episode =
                Episodes.of(
                                List.of(started("a", 30), resolved("a", 30, 50, 55)),
                                name -> Duration.ofMinutes(10))
                        .get(0);
        PipelineReplay.RecordingStats stats =
                new PipelineReplay.RecordingStats(1, 1, min(0), min(120));

        SeriesExtractor.Request request =
                Backtest.request(episode, FlinkwatchConfig.defaults(), stats);

        // Pending from 20m to the RESOLVED event at 55m: 35 minutes; a quarter of it (8m 45s) on
        // either side, as it is more than five minutes.
        assertThat(request.from()).isEqualTo(min(20) - Duration.ofSeconds(525).toMillis());
        assertThat(request.to()).isEqualTo(min(55) + Duration.ofSeconds(525).toMillis());

        Episode early =
                Episodes.of(List.of(started("b", 2)), name -> Duration.ofMinutes(10)).get(0);
        SeriesExtractor.Request clipped =
                Backtest.request(early, FlinkwatchConfig.defaults(), stats);
        // Pending from -8m and firing to the end: clipped to the recording.
        assertThat(clipped.from()).isEqualTo(min(0));
        assertThat(clipped.to()).isEqualTo(min(120));
    }
}
