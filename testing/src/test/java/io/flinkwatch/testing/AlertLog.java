package io.flinkwatch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Reads a test's alerts topic (read_committed) and tells the stories of its alert instances. */
public final class AlertLog {

    private AlertLog() {}

    /** Waits up to three minutes for the alerts on the topic to satisfy {@code done}. */
    public static List<AlertEvent> await(TestJobs topics, Predicate<List<AlertEvent>> done) {
        List<AlertEvent> events = read(topics, done, Duration.ofMinutes(3));
        assertThat(done).as("alerts expected by now, got %s", events).accepts(events);
        return events;
    }

    /** The alerts on the topic once they satisfy {@code done}, or after {@code timeout}. */
    public static List<AlertEvent> read(
            TestJobs topics, Predicate<List<AlertEvent>> done, Duration timeout) {
        List<AlertEvent> events = new ArrayList<>();
        topics.kafka.readCommitted(
                topics.alertsTopic,
                timeout,
                records -> {
                    events.clear();
                    records.forEach(record -> events.add(TestJobs.parseAlert(record.value())));
                    return done.test(events);
                });
        return events;
    }

    public static boolean is(AlertEvent event, String job, String alert, AlertReason reason) {
        return job.equals(event.label("job_name"))
                && alert.equals(event.alertname())
                && event.reason() == reason;
    }

    /** The events of one alert of one job. */
    public static List<AlertEvent> of(List<AlertEvent> alerts, String job, String alert) {
        return alerts.stream()
                .filter(e -> job.equals(e.label("job_name")) && alert.equals(e.alertname()))
                .toList();
    }

    /** The reasons of each alert instance's events, in order, by fingerprint. */
    public static Map<String, List<AlertReason>> stories(
            List<AlertEvent> alerts, String job, String alert) {
        Map<String, List<AlertReason>> stories = new LinkedHashMap<>();
        for (AlertEvent event : of(alerts, job, alert)) {
            stories.computeIfAbsent(event.fingerprint(), f -> new ArrayList<>())
                    .add(event.reason());
        }
        return stories;
    }
}
