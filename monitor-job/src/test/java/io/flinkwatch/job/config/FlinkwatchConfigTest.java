package io.flinkwatch.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkwatch.alerts.alertmanager.AlertmanagerHttpConfig;
import io.flinkwatch.ingest.kafka.MetricSnapshotSource.StartingOffsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlinkwatchConfigTest {

    @Test
    void aCheckpointIntervalNotSafelyBelowTheTransactionTimeoutIsRefusedUnderExactlyOnce() {
        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--checkpoint.interval", "10m",
                                        "--kafka.transaction-timeout", "15m"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("--checkpoint.interval is PT10M")
                .hasMessageContaining("at most half of --kafka.transaction-timeout (PT15M)");
        assertThatThrownBy(() -> FlinkwatchConfig.fromArgs("--kafka.transaction-timeout", "15s"))
                .hasMessageContaining("--checkpoint.interval is PT10S");
        // Half is enough; at-least-once has no transactions.
        FlinkwatchConfig.fromArgs(
                "--checkpoint.interval", "7m", "--kafka.transaction-timeout", "15m");
        FlinkwatchConfig.fromArgs(
                "--checkpoint.interval", "10m", "--delivery.guarantee", "at-least-once");
    }

    @Test
    void defaultsAreTheDeclaredOnes() {
        FlinkwatchConfig config = FlinkwatchConfig.defaults();

        assertThat(config.get(FlinkwatchParameters.JOB_NOT_RUNNING_FOR))
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(config.get(FlinkwatchParameters.METRICS_TOPICS))
                .containsExactly("flink-metrics");
        assertThat(config.get(FlinkwatchParameters.DELIVERY_GUARANTEE))
                .isEqualTo(DeliveryMode.EXACTLY_ONCE);
        assertThat(config.get(FlinkwatchParameters.DISABLED_RULES)).isEmpty();
    }

    @Test
    void readsNameValuePairsInBothForms() {
        FlinkwatchConfig config =
                FlinkwatchConfig.fromArgs(
                        "--kafka.metrics-topics",
                        "a, b",
                        "--delivery.guarantee=at-least-once",
                        "--kafka.starting-offsets",
                        "latest",
                        "--rule.job-not-running.for",
                        "90s");

        assertThat(config.get(FlinkwatchParameters.METRICS_TOPICS)).isEqualTo(List.of("a", "b"));
        assertThat(config.get(FlinkwatchParameters.DELIVERY_GUARANTEE))
                .isEqualTo(DeliveryMode.AT_LEAST_ONCE);
        assertThat(config.get(FlinkwatchParameters.STARTING_OFFSETS))
                .isEqualTo(StartingOffsets.LATEST);
        assertThat(config.get(FlinkwatchParameters.JOB_NOT_RUNNING_FOR))
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(config.given()).containsEntry("delivery.guarantee", "at-least-once");
    }

    @Test
    void anInvalidValueNamesTheParameterTheValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> FlinkwatchConfig.fromArgs("--checkpoint.interval", "fast"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessage(
                        "Invalid value 'fast' for job parameter --checkpoint.interval: expected a duration like"
                                + " 30s, 2m or 1h from 100ms to 1h.");
        assertThatThrownBy(() -> FlinkwatchConfig.fromArgs("--delivery.guarantee", "maybe"))
                .hasMessage(
                        "Invalid value 'maybe' for job parameter --delivery.guarantee: expected one of"
                                + " exactly-once, at-least-once.");
        assertThatThrownBy(() -> FlinkwatchConfig.fromArgs("--ingest.max-snapshot-bytes", "12"))
                .hasMessage(
                        "Invalid value '12' for job parameter --ingest.max-snapshot-bytes: expected a whole"
                                + " number from 1024 to 16777216.");
        assertThatThrownBy(() -> FlinkwatchConfig.fromArgs("--kafka.transaction-timeout", "1h"))
                .hasMessageContaining("--kafka.transaction-timeout")
                .hasMessageContaining("from 1s to 15m");
        assertThatThrownBy(() -> FlinkwatchConfig.fromArgs("--kafka.bounded", "yes"))
                .hasMessageContaining("expected true or false");
    }

    @Test
    void theParallelismCannotExceedTheMaximum() {
        assertThatThrownBy(() -> FlinkwatchConfig.fromArgs("--parallelism", "200"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessage(
                        "Job parameter --parallelism is 200: allowed is at most --parallelism.max (128).");
        assertThat(
                        FlinkwatchConfig.fromArgs(
                                        "--parallelism", "200", "--parallelism.max", "256")
                                .get(FlinkwatchParameters.MAX_PARALLELISM))
                .isEqualTo(256);
    }

    @Test
    void theImplausibleFutureStartsWhereTheClockSkewBoundEnds() {
        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--watermark.max-clock-skew", "20m",
                                        "--ingest.max-future-skew", "10m"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessage(
                        "Job parameter --ingest.max-future-skew is PT10M: allowed is at least"
                                + " --watermark.max-clock-skew (PT20M).");
    }

    @Test
    void unknownMissingAndRepeatedParametersAreRefused() {
        assertThatThrownBy(() -> FlinkwatchConfig.fromArgs("--kafka.bootstrap", "x"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageStartingWith(
                        "Unknown job parameter --kafka.bootstrap. Known parameters:")
                .hasMessageContaining("kafka.bootstrap-servers");
        assertThatThrownBy(() -> FlinkwatchConfig.fromArgs("--parallelism"))
                .hasMessage("Job parameter --parallelism has no value.");
        assertThatThrownBy(
                        () -> FlinkwatchConfig.fromArgs("--parallelism", "1", "--parallelism", "2"))
                .hasMessage("Job parameter --parallelism is given twice.");
        assertThatThrownBy(() -> FlinkwatchConfig.fromArgs("parallelism", "1"))
                .hasMessageContaining("job parameters are given as --name value");
    }

    @Test
    void disablingAnUnknownRuleIsRefused() {
        assertThatThrownBy(
                        () ->
                                io.flinkwatch.job.detection.AlertCatalog.from(
                                        FlinkwatchConfig.fromArgs(
                                                "--rules.disabled", "FlinkJobNotRuning")))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("'FlinkJobNotRuning'")
                .hasMessageContaining("--rules.disabled")
                .hasMessageContaining("FlinkJobNotRunning");
    }

    @Test
    void kafkaClientSettingsAreGivenOneByOneUnderKafkaProperties() {
        FlinkwatchConfig config =
                FlinkwatchConfig.fromArgs(
                        "--kafka.properties.security.protocol",
                        "SASL_SSL",
                        "--kafka.properties.sasl.mechanism=SCRAM-SHA-512");

        assertThat(config.kafkaClientProperties().properties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(FlinkwatchConfig.defaults().kafkaClientProperties().isEmpty()).isTrue();
    }

    @Test
    void kafkaSettingsFlinkwatchControlsAreRefusedWithWhatToUseInstead() {
        assertThatThrownBy(() -> FlinkwatchConfig.fromArgs("--kafka.properties.group.id", "g"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessage(
                        "Job parameter --kafka.properties.group.id is refused: Flinkwatch controls"
                                + " 'group.id'; use --kafka.group-id.");
        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--kafka.properties.value.deserializer", "x"))
                .hasMessageContaining("'value.deserializer'");
        assertThatThrownBy(
                        () -> FlinkwatchConfig.fromArgs("--kafka.properties.transactional.id", "x"))
                .hasMessageContaining("--kafka.transactional-id-prefix");
        assertThatThrownBy(
                        () -> FlinkwatchConfig.fromArgs("--kafka.properties.isolation.level", "x"))
                .hasMessageContaining("'isolation.level'");
        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--kafka.properties.enable.idempotence", "false"))
                .hasMessageContaining("exactly-once delivery needs idempotent producers");
        assertThat(
                        FlinkwatchConfig.fromArgs(
                                        "--delivery.guarantee",
                                        "at-least-once",
                                        "--kafka.properties.enable.idempotence",
                                        "false")
                                .kafkaClientProperties()
                                .properties())
                .containsEntry("enable.idempotence", "false");
    }

    @Test
    void aKafkaPropertiesFileThatCannotBeReadStopsTheJobNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("secrets.properties");

        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--kafka.properties-file", missing.toString()))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessage(
                        "Job parameter --kafka.properties-file '"
                                + missing
                                + "' cannot be read (NoSuchFileException): allowed is a readable"
                                + " Java properties file of Kafka client settings.");
    }

    @Test
    void secretsNeverShowInWhatTheJobLogs() {
        FlinkwatchConfig config =
                FlinkwatchConfig.fromArgs(
                        "--kafka.properties.sasl.jaas.config",
                        "ScramLoginModule required username=\"fw\" password=\"s3cret\";",
                        "--kafka.properties.ssl.truststore.password",
                        "changeit",
                        "--kafka.properties.security.protocol",
                        "SASL_SSL");

        String shown = config.shownGiven().toString();
        assertThat(shown)
                .doesNotContain("s3cret")
                .doesNotContain("changeit")
                .contains("kafka.properties.sasl.jaas.config=******")
                .contains("kafka.properties.ssl.truststore.password=******")
                .contains("kafka.properties.security.protocol=SASL_SSL");
        assertThat(config.kafkaClientProperties().toString()).doesNotContain("s3cret");
    }

    @Test
    void alertmanagerAuthenticationAndTlsAreReadFromTheirParameters() {
        FlinkwatchConfig config =
                FlinkwatchConfig.fromArgs(
                        "--alertmanager.url", "https://alertmanager:9093",
                        "--alertmanager.basic-auth.username", "flinkwatch",
                        "--alertmanager.basic-auth.password-file", "/etc/flinkwatch/am-password",
                        "--alertmanager.tls.ca-file", "/etc/flinkwatch/ca.pem");

        assertThat(config.alertmanagerHttp())
                .isEqualTo(
                        new AlertmanagerHttpConfig(
                                "flinkwatch",
                                "/etc/flinkwatch/am-password",
                                "",
                                "/etc/flinkwatch/ca.pem"));
        assertThat(
                        FlinkwatchConfig.fromArgs(
                                        "--alertmanager.url", "http://alertmanager:9093",
                                        "--alertmanager.bearer-token-file", "/run/secrets/token")
                                .alertmanagerHttp())
                .isEqualTo(AlertmanagerHttpConfig.bearerToken("/run/secrets/token"));
        assertThat(FlinkwatchConfig.defaults().alertmanagerHttp())
                .isEqualTo(AlertmanagerHttpConfig.NONE);
    }

    @Test
    void basicAuthAndABearerTokenTogetherAreRefused() {
        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--alertmanager.url", "https://am:9093",
                                        "--alertmanager.basic-auth.username", "flinkwatch",
                                        "--alertmanager.basic-auth.password-file", "/p",
                                        "--alertmanager.bearer-token-file", "/t"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessage(
                        "Job parameter --alertmanager.bearer-token-file is '/t': allowed only without"
                                + " basic auth (--alertmanager.basic-auth.username,"
                                + " --alertmanager.basic-auth.password-file): a request carries one"
                                + " Authorization header.");
    }

    @Test
    void basicAuthNeedsBothAUserNameAndAPasswordFile() {
        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--alertmanager.url", "https://am:9093",
                                        "--alertmanager.basic-auth.password-file", "/p"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessage(
                        "Job parameter --alertmanager.basic-auth.password-file is '/p': allowed only"
                                + " with --alertmanager.basic-auth.username.");
        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--alertmanager.url", "https://am:9093",
                                        "--alertmanager.basic-auth.username", "flinkwatch"))
                .hasMessageStartingWith(
                        "Job parameter --alertmanager.basic-auth.username is 'flinkwatch': allowed"
                                + " only with --alertmanager.basic-auth.password-file");
    }

    @Test
    void authenticationAndTlsSettingsNeedAUrlThatUsesThem() {
        assertThatThrownBy(
                        () -> FlinkwatchConfig.fromArgs("--alertmanager.bearer-token-file", "/t"))
                .hasMessage(
                        "Job parameter --alertmanager.bearer-token-file is '/t': allowed only with"
                                + " --alertmanager.url, which is empty (forwarding is off).");
        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--alertmanager.url", "http://am:9093",
                                        "--alertmanager.tls.ca-file", "/ca.pem"))
                .hasMessage(
                        "Job parameter --alertmanager.tls.ca-file is '/ca.pem': allowed only with an"
                                + " https:// --alertmanager.url (it is 'http://am:9093').");
    }

    @Test
    void secretFilesMustBeAbsolutePathsOnTheTaskManagers() {
        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--alertmanager.url", "https://am:9093",
                                        "--alertmanager.bearer-token-file", "token.txt"))
                .hasMessage(
                        "Invalid value 'token.txt' for job parameter --alertmanager.bearer-token-file:"
                                + " expected an absolute path of a file on the TaskManagers, or"
                                + " empty.");
    }

    @Test
    void credentialsInTheAlertmanagerUrlAreRefusedAndNeverShown() {
        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--alertmanager.url", "https://flinkwatch:s3cret@am:9093"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageStartingWith(
                        "Job parameter --alertmanager.url is 'https://******@am:9093': allowed is a"
                                + " URL without credentials")
                .hasMessageContaining("--alertmanager.basic-auth.password-file")
                .hasMessageNotContaining("s3cret");
        // Nor when the URL is invalid for another reason.
        assertThatThrownBy(
                        () ->
                                FlinkwatchConfig.fromArgs(
                                        "--alertmanager.url", "ftp://flinkwatch:s3cret@am:9093"))
                .hasMessage(
                        "Invalid value 'ftp://******@am:9093' for job parameter --alertmanager.url:"
                                + " expected an http:// or https:// URL with a host, or empty.");
    }
}
