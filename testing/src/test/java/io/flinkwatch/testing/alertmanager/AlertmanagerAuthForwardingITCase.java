package io.flinkwatch.testing.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkwatch.testing.SharedKafka;
import io.flinkwatch.testing.TestJobs;
import io.flinkwatch.testing.kafka.EmbeddedKafka;
import io.flinkwatch.testing.scenario.SnapshotPublisher;
import io.flinkwatch.testing.tls.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flinkwatch on a MiniCluster, forwarding through its job parameters to a real Alertmanager that
 * serves HTTPS and requires basic auth ({@code --web.config.file}): with the right password file
 * the alert still firing is active there; with a wrong one the job still runs to its end, every
 * event is on the alerts topic, and the sink's {@code alertmanagerAuthenticationFailures} metric
 * counts the refusals.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AlertmanagerAuthForwardingITCase {

    private static final String PASSWORD = "j0b-passw0rd";

    // Retained: the bounded job has finished when its metrics are read.
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .build());

    @TempDir static Path dir;

    private static TestCertificates ca;
    private static LocalAlertmanager alertmanager;

    @BeforeAll
    static void startAlertmanager() throws Exception {
        ca = TestCertificates.newAuthority(dir.resolve("ca"), "flinkwatch");
        alertmanager =
                LocalAlertmanager.start(
                        LocalAlertmanager.WebConfig.tls(ca).withBasicAuth("flinkwatch", PASSWORD));
    }

    @AfterAll
    static void stopAlertmanager() {
        if (alertmanager != null) {
            alertmanager.close();
        }
    }

    @Test
    void theJobForwardsOverHttpsWithBasicAuthFromItsParameters() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), PASSWORD + "\n");

        JobClient job = run(password).job();
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);

        List<JsonNode> active =
                alertmanager.awaitAlerts(
                        alerts -> AlertForwarderITCase.of(alerts, "down") != null,
                        Duration.ofSeconds(30));
        assertThat(AlertForwarderITCase.of(active, "down").get("labels").get("alertname").asText())
                .isEqualTo("FlinkJobNotRunning");
        assertThat(AlertForwarderITCase.of(active, "recovered")).isNull();
        assertThat(sum(job, "alertmanagerPosted")).isPositive();
        assertThat(sum(job, "alertmanagerAuthenticationFailures")).isZero();
    }

    @Test
    void aWrongPasswordIsCountedInTheSinkMetricsAndTheAlertsTopicGoesOn() throws Exception {
        Path password = Files.writeString(dir.resolve("wrong-password"), "not-" + PASSWORD);

        Run run = run(password);
        JobClient job = run.job();
        // The bounded job ends although Alertmanager refuses every post.
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);

        assertThat(sum(job, "alertmanagerAuthenticationFailures")).isPositive();
        assertThat(sum(job, "alertmanagerPosted")).isZero();
        assertThat(
                        run.topics()
                                .kafka
                                .readCommitted(
                                        run.topics().alertsTopic,
                                        Duration.ofSeconds(10),
                                        records -> false)
                                .size())
                .isEqualTo(3);
    }

    private record Run(TestJobs topics, JobClient job) {}

    /** Publishes the forwarding scenario to fresh topics and runs Flinkwatch on it, bounded. */
    private static Run run(Path passwordFile) throws Exception {
        EmbeddedKafka kafka = SharedKafka.broker();
        TestJobs topics = new TestJobs(kafka, 2);
        try (var producer = kafka.producer()) {
            SnapshotPublisher publisher = new SnapshotPublisher(producer, topics.metricsTopic);
            AlertmanagerForwardingITCase.SCENARIO.forEachStep(publisher::publish);
            publisher.flush();
        }
        JobClient job =
                TestJobs.environment(
                                topics.config(
                                        Map.of(
                                                "kafka.bounded", "true",
                                                "alertmanager.url", alertmanager.url(),
                                                "alertmanager.basic-auth.username", "flinkwatch",
                                                "alertmanager.basic-auth.password-file",
                                                        passwordFile.toString(),
                                                "alertmanager.tls.ca-file", ca.caPem().toString())))
                        .executeAsync("forward to alertmanager over https");
        return new Run(topics, job);
    }

    /** A sink gauge summed over the job's subtasks. */
    private static long sum(JobClient job, String name) {
        Map<String, Metric> metrics = METRICS.findMetrics(job.getJobID(), name);
        assertThat(metrics).as("metric %s", name).isNotEmpty();
        long sum = 0;
        for (Metric metric : metrics.values()) {
            sum += ((Number) ((Gauge<?>) metric).getValue()).longValue();
        }
        return sum;
    }
}
