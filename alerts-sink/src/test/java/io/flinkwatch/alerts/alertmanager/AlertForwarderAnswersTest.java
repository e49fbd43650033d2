package io.flinkwatch.alerts.alertmanager;

import static io.flinkwatch.alerts.alertmanager.StubAlertmanager.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkwatch.alerts.alertmanager.StubAlertmanager.Answer;
import io.flinkwatch.alerts.event.AlertEvent;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the forwarder does with each answer Alertmanager, or a proxy in front of it, can give: a
 * local HTTP server answers each request as the test says, and records what it received.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class AlertForwarderAnswersTest {

    private StubAlertmanager server;
    private List<StubAlertmanager.Received> received;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aRequestTooLargeForAProxyIsSplitUntilEveryAlertGetsThrough() throws Exception {
        // A proxy whose body limit fits three alerts.
        URI url = serve(request -> request.alerts().size() > 3 ? Answer.of(413, "") : Answer.OK);
        List<AlertEvent> alerts = firing(10);
        try (AlertForwarder forwarder = startedWith(settings(url), alerts)) {

            await(() -> forwarder.posted() == 10);
            assertThat(accepted()).containsExactlyInAnyOrderElementsOf(jobs(alerts));
            assertThat(forwarder.rejected()).isZero();
            assertThat(forwarder.unsent()).isZero();
        }
    }

    @Test
    void oneAlertAlertmanagerRefusesIsCountedAndTheOthersOfItsRequestGetThrough() throws Exception {
        URI url =
                serve(
                        request ->
                                request.jobs().contains("job-3")
                                        ? Answer.of(400, "invalid label set")
                                        : Answer.OK);
        List<AlertEvent> alerts = firing(8);
        try (AlertForwarder forwarder = startedWith(settings(url), alerts)) {

            await(() -> forwarder.posted() + forwarder.rejected() == 8);
            assertThat(forwarder.rejected()).isEqualTo(1);
            assertThat(forwarder.posted()).isEqualTo(7);
            assertThat(accepted())
                    .containsExactlyInAnyOrderElementsOf(
                            jobs(alerts).stream().filter(job -> !job.equals("job-3")).toList());
        }
    }

    @Test
    void aRequestRefusedForGoodIsCountedNotRetriedAndLaterAlertsGoOn() throws Exception {
        List<Answer> answers = new ArrayList<>(List.of(Answer.of(404, "no such route")));
        URI url = serve(request -> answers.isEmpty() ? Answer.OK : answers.remove(0));
        List<AlertEvent> first = firing(3);
        try (AlertForwarder forwarder = startedWith(settings(url), first)) {
            await(() -> forwarder.rejected() == 3);
            assertThat(forwarder.posted()).isZero();
            assertThat(forwarder.failedPosts()).isZero();
            assertThat(forwarder.unsent()).isZero();

            AlertEvent later = firing(4).get(3);
            forwarder.accept(later);
            await(() -> forwarder.posted() == 1);
            // The refused request was not posted again: one request each.
            assertThat(received).hasSize(2);
            assertThat(received.get(1).jobs()).containsExactly("job-4");
        }
    }

    @Test
    void tooManyRequestsWaitsTheSecondsOfRetryAfter() throws Exception {
        List<Answer> answers =
                new ArrayList<>(List.of(new Answer(429, Map.of("Retry-After", "2"), "slow down")));
        URI url = serve(request -> answers.isEmpty() ? Answer.OK : answers.remove(0));
        try (AlertForwarder forwarder = startedWith(settings(url), firing(2))) {

            await(() -> forwarder.posted() == 2);
            assertThat(received).hasSize(2);
            assertThat(received.get(1).at() - received.get(0).at()).isGreaterThanOrEqualTo(2_000);
            assertThat(received.get(1).alerts()).hasSize(2);
            assertThat(forwarder.rejected()).isZero();
            assertThat(forwarder.failedPosts()).isEqualTo(1);
        }
    }

    @Test
    void unavailableWaitsUntilTheDateOfRetryAfter() throws Exception {
        URI url =
                serve(
                        request -> {
                            if (received.size() > 1) {
                                return Answer.OK;
                            }
                            String date =
                                    DateTimeFormatter.RFC_1123_DATE_TIME.format(
                                            ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(3));
                            return new Answer(503, Map.of("Retry-After", date), "maintenance");
                        });
        try (AlertForwarder forwarder = startedWith(settings(url), firing(1))) {

            await(() -> forwarder.posted() == 1);
            // HTTP dates have whole seconds: at least 2 s of the 3 asked for.
            assertThat(received.get(1).at() - received.get(0).at()).isGreaterThanOrEqualTo(2_000);
        }
    }

    @Test
    void retryAfterReadsSecondsAndDatesWithinBounds() {
        long now = 1_000_000_000_000L;
        Duration least = Duration.ofSeconds(1);
        assertThat(AlertForwarder.retryAfter("7", now, least)).isEqualTo(Duration.ofSeconds(7));
        assertThat(AlertForwarder.retryAfter(null, now, least)).isEqualTo(least);
        assertThat(AlertForwarder.retryAfter("soon", now, least)).isEqualTo(least);
        assertThat(AlertForwarder.retryAfter("0", now, least)).isEqualTo(least);
        assertThat(AlertForwarder.retryAfter("86400", now, least))
                .isEqualTo(AlertForwarder.MAX_RETRY_AFTER);
        String in30s =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        java.time.Instant.ofEpochMilli(now + 30_000).atZone(ZoneOffset.UTC));
        assertThat(AlertForwarder.retryAfter(in30s, now, least)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aResendOfALargeIncidentGoesInRequestsOfTheBoundedSize() throws Exception {
        URI url = serve(request -> Answer.OK);
        AlertForwarder.Settings settings =
                new AlertForwarder.Settings(
                                url, "x", Duration.ofSeconds(1), 1000, Duration.ofSeconds(5))
                        .withMaxAlertsPerRequest(4);
        try (AlertForwarder forwarder = startedWith(settings, firing(10))) {

            // The queued events, then one resend of all ten.
            await(() -> forwarder.posted() >= 20);
            assertThat(received)
                    .allSatisfy(
                            request -> assertThat(request.alerts()).hasSizeLessThanOrEqualTo(4));
            assertThat(accepted()).hasSizeGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void theWatchdogIsPostedOnceArmedAndWithEveryResend() throws Exception {
        URI url = serve(request -> Answer.OK);
        AlertForwarder.Settings settings =
                new AlertForwarder.Settings(
                                url, "x", Duration.ofSeconds(1), 1000, Duration.ofSeconds(5))
                        .withWatchdog(
                                Map.of(
                                        "alertname",
                                        "FlinkwatchWatchdog",
                                        "severity",
                                        "none",
                                        "flinkwatch",
                                        "prod"));
        try (AlertForwarder forwarder = new AlertForwarder(settings).start()) {
            Thread.sleep(2_500);
            assertThat(watchdogs()).isEmpty();

            forwarder.armWatchdog();
            await(() -> watchdogs().size() >= 3);
            JsonNode watchdog = watchdogs().get(0);
            assertThat(watchdog.get("labels").get("severity").asText()).isEqualTo("none");
            assertThat(watchdog.get("labels").get("flinkwatch").asText()).isEqualTo("prod");
            assertThat(watchdog.get("annotations").get("summary").asText()).contains("always");
            assertThat(forwarder.posted()).isZero();
        }
    }

    private List<JsonNode> watchdogs() {
        return server.alerts().stream()
                .filter(
                        alert ->
                                alert.get("labels")
                                        .path("alertname")
                                        .asText()
                                        .equals("FlinkwatchWatchdog"))
                .toList();
    }

    private URI serve(Function<StubAlertmanager.Received, Answer> answers) throws IOException {
        server = StubAlertmanager.answering(answers);
        received = server.received;
        return server.url();
    }

    private List<String> accepted() {
        return server.accepted;
    }

    /**
     * A forwarder that starts with {@code alerts} queued, so that its first request carries all of
     * them whatever the threads' timing.
     */
    private static AlertForwarder startedWith(
            AlertForwarder.Settings settings, List<AlertEvent> alerts) {
        AlertForwarder forwarder = new AlertForwarder(settings);
        alerts.forEach(forwarder::accept);
        return forwarder.start();
    }

    private static AlertForwarder.Settings settings(URI url) {
        return new AlertForwarder.Settings(
                url, "x", Duration.ofMinutes(1), 1000, Duration.ofSeconds(5));
    }

    private static List<String> jobs(List<AlertEvent> alerts) {
        return alerts.stream().map(alert -> alert.label("job_name")).toList();
    }

    private static List<AlertEvent> firing(int count) {
        return StubAlertmanager.firing(count, "FlinkLagGrowing");
    }
}
