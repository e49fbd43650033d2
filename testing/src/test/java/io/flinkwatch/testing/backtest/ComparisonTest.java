package io.flinkwatch.testing.backtest;

import static io.flinkwatch.testing.backtest.Events.min;
import static io.flinkwatch.testing.backtest.Events.resolved;
import static io.flinkwatch.testing.backtest.Events.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonTest {

    private static List<Episode> episodes(AlertEvent... events) {
        return Episodes.of(List.of(events), name -> Duration.ofMinutes(5));
    }

    @Test
    void matchesEpisodesOfTheSameAlertThatOverlap() {
        List<Episode> given =
                episodes(
                        started("same", 10), resolved("same", 10, 20, 25),
                        started("shift", 30), resolved("shift", 30, 40, 45),
                        started("gone", 50), resolved("gone", 50, 55, 60));
        List<Episode> other =
                episodes(
                        started("same", 10),
                        resolved("same", 10, 20, 25),
                        // Fires 3m earlier (a shorter for), ends when it did.
                        started("shift", 27),
                        resolved("shift", 27, 40, 45),
                        started("new", 70));

        List<Comparison.Change> changes = Comparison.compare(given, other, min(90));

        assertThat(changes)
                .extracting(c -> c.episode().fingerprint(), Comparison.Change::kind)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("same", Comparison.Kind.SAME),
                        org.assertj.core.groups.Tuple.tuple("shift", Comparison.Kind.SHIFTED),
                        org.assertj.core.groups.Tuple.tuple("gone", Comparison.Kind.REMOVED),
                        org.assertj.core.groups.Tuple.tuple("new", Comparison.Kind.ADDED));
        Comparison.Change shift = changes.get(1);
        assertThat(shift.startShiftMs()).isEqualTo(-Duration.ofMinutes(3).toMillis());
        assertThat(shift.endShiftMs(min(90))).isZero();
        assertThat(Comparison.changed(changes)).isEqualTo(3);
    }

    @Test
    void anEpisodeOfTheSameAlertAtAnotherTimeIsNotTheSameEpisode() {
        List<Episode> given = episodes(started("a", 10), resolved("a", 10, 20, 25));
        List<Episode> other = episodes(started("a", 60), resolved("a", 60, 70, 75));

        assertThat(Comparison.compare(given, other, min(90)))
                .extracting(Comparison.Change::kind)
                .containsExactly(Comparison.Kind.REMOVED, Comparison.Kind.ADDED);
    }
}
