package io.flinkwatch.job.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.detection.AlertCatalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertBookTest {

    static final AlertCatalog CATALOG = AlertCatalog.from(FlinkwatchConfig.defaults());
    static final AlertGrouping GROUPING = new AlertGrouping(List.of("cluster", "job_name"));

    @Test
    void oneFiringAndOneResolvedPerAlertWhateverTheRepeats() {
        AlertBook book = new AlertBook();

        List<AlertEvent> events = new java.util.ArrayList<>();
        events.addAll(book.apply(List.of(fire(120, "job-1")), CATALOG, GROUPING));
        events.addAll(book.apply(List.of(fire(135, "job-1")), CATALOG, GROUPING));
        events.addAll(book.apply(List.of(resolve(300)), CATALOG, GROUPING));
        events.addAll(book.apply(List.of(resolve(315)), CATALOG, GROUPING));

        assertThat(events).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        AlertEvent firing = events.get(0);
        AlertEvent resolved = events.get(1);
        assertThat(firing.startsAt()).isEqualTo(120_000);
        assertThat(firing.endsAt()).isNull();
        assertThat(firing.labels()).containsEntry("job_id", "job-1");
        assertThat(firing.annotations().get("summary")).isEqualTo("Flink job orders on prod is not running");
        assertThat(firing.groupKey()).isEqualTo("{cluster=\"prod\",job_name=\"orders\"}");
        assertThat(resolved.startsAt()).isEqualTo(120_000);
        assertThat(resolved.endsAt()).isEqualTo(300_000);
        assertThat(resolved.labels()).isEqualTo(firing.labels());
        assertThat(resolved.fingerprint()).isEqualTo(firing.fingerprint());
        assertThat(book.isEmpty()).isTrue();
    }

    @Test
    void aClearOfAnAlertThatNeverFiredSaysNothing() {
        assertThat(new AlertBook().apply(List.of(resolve(10)), CATALOG, GROUPING)).isEmpty();
    }

    @Test
    void signalsOfOneInstantAreAppliedInAFixedOrder() {
        List<AlertSignal> both = List.of(fire(60, "job-1"), resolve(60));
        List<AlertSignal> reversed = List.of(resolve(60), fire(60, "job-1"));

        assertThat(new AlertBook().apply(both, CATALOG, GROUPING))
                .isEqualTo(new AlertBook().apply(reversed, CATALOG, GROUPING));
    }

    static AlertSignal fire(long second, String jobId) {
        return new AlertSignal(
                AlertSignal.Kind.FIRE,
                "FlinkJobNotRunning",
                "fp-orders",
                second * 1000,
                second * 1000 - 120_000,
                labels(),
                jobId,
                Evidence.builder().value("uptimeMs", 0).build(),
                false);
    }

    static AlertSignal resolve(long second) {
        return new AlertSignal(
                AlertSignal.Kind.RESOLVE, "FlinkJobNotRunning", "fp-orders", second * 1000, 0, labels(), "job-1", Evidence.none(), false);
    }

    static Map<String, String> labels() {
        return Map.of("alertname", "FlinkJobNotRunning", "severity", "critical", "cluster", "prod", "job_name", "orders");
    }
}
