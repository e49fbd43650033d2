package io.flinkwatch.testing.backtest;

import static io.flinkwatch.testing.scenario.IncidentKind.OUTAGE;
import static io.flinkwatch.testing.scenario.IncidentKind.RESTART;
import static io.flinkwatch.testing.scenario.IncidentKind.SINK_THROTTLED;
import static io.flinkwatch.testing.scenario.Scenario.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.browser.HeadlessChromium;
import io.flinkwatch.testing.scenario.Scenario;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The backtest end to end, as a user runs it: a scenario (a throttled sink, so backpressure and a
 * growing lag, and a job that restarts through an outage) is published to a real broker and
 * replayed by the job on a MiniCluster for the reference alerts; the backtest jar records the topic
 * to a file ({@code record}) and backtests the file with and without other parameters ({@code
 * --compare}) in its own JVM; the report is opened in a real headless Chromium, which must show it
 * without console errors or network requests, with summary counts equal to the reference alerts and
 * a plot for every episode. The screenshot is kept in {@code target/backtest/}.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class BacktestReportITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static final Scenario SCENARIO =
            Scenario.starting(Scenario.DEFAULT_START)
                    .length(minutes(90))
                    .job("orders")
                    // The sink takes 60 % of the traffic: backpressure upstream, the lag grows.
                    .incident("orders", SINK_THROTTLED, minutes(15), minutes(65), 0.6)
                    // Restarting for five minutes meanwhile: FlinkJobNotRunning suppresses the lag.
                    .incident("orders", OUTAGE, minutes(40), minutes(45))
                    .job("payments")
                    // A restart that fires nothing.
                    .incident("payments", RESTART, minutes(30), null)
                    .build();

    /** The parameters of both runs: the test's cadence, as TestJobs sets it. */
    static final List<String> PARAMETERS =
            List.of(
                    "--checkpoint.interval",
                    "1s",
                    "--parallelism",
                    "2",
                    "--watermark.idleness",
                    "3s");

    static final String COMPARE = "--rule.high-backpressure.for 5m --rule.lag-growing.for 2m";

    static final Path DIR = Path.of("target", "backtest");

    private static List<AlertEvent> reference;
    private static String metricsTopic;
    private static long published;
    private static Path recording;
    private static Path report;
    private static String commandOutput;

    @BeforeAll
    static void replayRecordAndBacktest() throws Exception {
        Files.createDirectories(DIR);
        TestJobs jobs = new TestJobs(SharedKafka.broker(), 2);
        // The reference: the job itself, replaying the scenario bounded from the broker.
        reference =
                jobs.replay(
                        SCENARIO, Map.of("watermark.idleness", "3s", "checkpoint.interval", "1s"));
        published = SCENARIO.snapshots().size();
        metricsTopic = jobs.metricsTopic;

        recording = DIR.resolve("scenario.jsonl");
        Files.deleteIfExists(recording);
        run(
                "record",
                "--source.bootstrap-servers",
                jobs.kafka.bootstrapServers(),
                "--source.topic",
                jobs.metricsTopic,
                "--out",
                recording.toString());

        report = DIR.resolve("report.html");
        Files.deleteIfExists(report);
        List<String> backtest = new ArrayList<>();
        backtest.addAll(
                List.of("backtest", "--from", recording.toString(), "--report", report.toString()));
        backtest.addAll(PARAMETERS);
        backtest.addAll(List.of("--compare", COMPARE, "--top", "50"));
        commandOutput = run(backtest.toArray(String[]::new));
    }

    @Test
    void recordWritesEverySnapshotOfTheTopic() throws IOException {
        try (var lines = Files.lines(recording, StandardCharsets.UTF_8)) {
            assertThat(lines.count()).isEqualTo(published);
        }
    }

    @Test
    void aTopicRangeBacktestsToTheSameAlertsAsTheFile() throws Exception {
        Path fromTopic = DIR.resolve("report-topic.html");
        Files.deleteIfExists(fromTopic);
        List<String> backtest = new ArrayList<>();
        backtest.addAll(
                List.of(
                        "backtest",
                        "--from",
                        "kafka",
                        "--source.bootstrap-servers",
                        SharedKafka.broker().bootstrapServers(),
                        "--source.topic",
                        metricsTopic,
                        "--source.start",
                        "earliest",
                        "--source.end",
                        "latest",
                        "--report",
                        fromTopic.toString()));
        backtest.addAll(PARAMETERS);
        run(backtest.toArray(String[]::new));

        assertThat(summaryRows(Files.readString(fromTopic)))
                .isEqualTo(summaryRows(Files.readString(report)))
                .isNotEmpty();
    }

    /** The data of the first summary table's rows (the given parameters' run). */
    private static List<String> summaryRows(String html) {
        String summary =
                html.substring(
                        html.indexOf("id=\"summary\""),
                        html.indexOf("</section>", html.indexOf("id=\"summary\"")));
        List<String> rows = new ArrayList<>();
        java.util.regex.Matcher row =
                java.util.regex.Pattern.compile("<tr class=\"summary-row\"[^>]*>").matcher(summary);
        while (row.find()) {
            rows.add(row.group());
        }
        return rows;
    }

    @Test
    void theScenarioFiresWhatTheReportMustShow() {
        // Without these the report checks below would prove little.
        assertThat(names(reference))
                .contains("FlinkHighBackpressure", "FlinkLagGrowing", "FlinkJobNotRunning");
        assertThat(reference)
                .as("the outage suppresses the firing lag alert")
                .anyMatch(
                        e ->
                                e.reason() == AlertReason.SUPPRESSED
                                        && e.alertname().equals("FlinkLagGrowing"));
        assertThat(commandOutput).contains("changed by the compared parameters");
    }

    @Test
    void theReportRendersInChromiumAsThePipelineRanIt() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start(1280, 2000)) {
            String url = report.toAbsolutePath().toUri().toString();
            browser.open(url);

            assertThat(browser.errors()).as("console errors and failed loads").isEmpty();
            assertThat(browser.requestedUrls())
                    .as("the report needs nothing but itself")
                    .allMatch(u -> u.equals(url) || u.startsWith("data:"));

            // Summary: started and resolved events per alert name, as the pipeline published.
            JsonNode rows =
                    browser.evaluate(
                            "Array.from(document.querySelectorAll('#summary tr.summary-row'))"
                                    + ".map(r => ({name: r.dataset.alertname,"
                                    + " started: +r.dataset.started, resolved: +r.dataset.resolved,"
                                    + " events: +r.dataset.events, episodes: +r.dataset.episodes}))");
            Map<String, String> shown = new TreeMap<>();
            for (JsonNode row : rows) {
                shown.put(
                        row.get("name").asText(),
                        row.get("started").asInt()
                                + " started, "
                                + row.get("resolved").asInt()
                                + " resolved, "
                                + row.get("events").asInt()
                                + " events");
                assertThat(row.get("episodes").asInt()).isEqualTo(row.get("started").asInt());
            }
            Map<String, String> expected = new TreeMap<>();
            for (String name : names(reference)) {
                List<AlertEvent> of =
                        reference.stream().filter(e -> e.alertname().equals(name)).toList();
                expected.put(
                        name,
                        of.stream().filter(e -> e.reason() == AlertReason.STARTED).count()
                                + " started, "
                                + of.stream()
                                        .filter(e -> e.status() == AlertStatus.RESOLVED)
                                        .count()
                                + " resolved, "
                                + of.size()
                                + " events");
            }
            assertThat(shown).isEqualTo(expected);

            // Every listed episode has a plot with its series drawn; none is left unplotted.
            int episodes =
                    browser.evaluate(
                                    "+document.querySelector('#summary tr.summary-total').dataset.episodes")
                            .asInt();
            JsonNode sections =
                    browser.evaluate(
                            "Array.from(document.querySelectorAll('section.episode')).map(s => ({"
                                    + " id: s.id, plots: s.querySelectorAll('svg.plot').length,"
                                    + " series: s.querySelectorAll('svg.plot path.series').length,"
                                    + " firing: s.querySelectorAll('svg.plot rect.span.firing').length,"
                                    + " width: s.querySelector('svg.plot') ?"
                                    + " s.querySelector('svg.plot').getBoundingClientRect().width : 0}))");
            assertThat(sections).hasSize(episodes);
            assertThat(episodes).isGreaterThanOrEqualTo(4);
            for (JsonNode section : sections) {
                assertThat(section.get("plots").asInt())
                        .as(section.get("id").asText())
                        .isEqualTo(1);
                assertThat(section.get("series").asInt())
                        .as(section.get("id").asText())
                        .isEqualTo(1);
                assertThat(section.get("firing").asInt())
                        .as(section.get("id").asText())
                        .isEqualTo(1);
                assertThat(section.get("width").asDouble()).as("rendered").isGreaterThan(300);
            }
            assertThat(browser.evaluate("document.querySelectorAll('tr.unplotted').length").asInt())
                    .isZero();
            // The inhibition is drawn where the lag alert was suppressed.
            assertThat(
                            browser.evaluate(
                                            "document.querySelectorAll("
                                                    + "'section.episode[data-alertname=FlinkLagGrowing]"
                                                    + " rect.span.suppressed').length")
                                    .asInt())
                    .isPositive();
            // The timeline has a bar for every episode.
            assertThat(
                            browser.evaluate(
                                            "document.querySelectorAll('svg.timeline g.bar').length")
                                    .asInt())
                    .isGreaterThanOrEqualTo(episodes);
            // The comparison lists what the other parameters change.
            assertThat(
                            browser.evaluate(
                                            "document.querySelectorAll('#compare tr.change').length")
                                    .asInt())
                    .isPositive();

            // The filter script works: one alert name leaves only its episodes visible.
            int visible =
                    browser.evaluate(
                                    "(() => { const f = document.getElementById('filter');"
                                            + " f.value = 'FlinkJobNotRunning';"
                                            + " f.dispatchEvent(new Event('change'));"
                                            + " return Array.from(document.querySelectorAll('section.episode'))"
                                            + ".filter(s => s.style.display !== 'none').length; })()")
                            .asInt();
            assertThat(visible)
                    .isEqualTo(
                            reference.stream()
                                    .filter(
                                            e ->
                                                    e.reason() == AlertReason.STARTED
                                                            && e.alertname()
                                                                    .equals("FlinkJobNotRunning"))
                                    .count());
            browser.evaluate(
                    "(() => { const f = document.getElementById('filter'); f.value = '';"
                            + " f.dispatchEvent(new Event('change')); return true; })()");
            assertThat(browser.errors()).as("errors after using the page").isEmpty();

            Path png = DIR.resolve("report.png");
            browser.screenshot(png, 1280, 2000);
            byte[] bytes = Files.readAllBytes(png);
            assertThat(bytes).hasSizeGreaterThan(20_000);
            // PNG signature.
            assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        }
    }

    private static List<String> names(List<AlertEvent> events) {
        return events.stream()
                .map(AlertEvent::alertname)
                .distinct()
                .sorted()
                .collect(Collectors.toList());
    }

    /** Runs the backtest jar in a JVM of its own; returns its stdout. */
    private static String run(String... args) throws Exception {
        return BacktestJar.run(DIR, args);
    }
}
