package io.flinkwatch.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void readsTypedValuesWithDefaults() {
        Settings settings =
                Settings.fromArgs(
                        new String[] {
                            "--interval",
                            "5s",
                            "--buffer",
                            "20",
                            "--groups",
                            "a, b=job,,",
                            "--producer.acks",
                            "all"
                        });
        assertThat(
                        settings.duration(
                                "interval",
                                Duration.ofSeconds(15),
                                Duration.ofSeconds(1),
                                Duration.ofHours(1)))
                .hasSeconds(5);
        assertThat(
                        settings.duration(
                                "other",
                                Duration.ofSeconds(15),
                                Duration.ofSeconds(1),
                                Duration.ofHours(1)))
                .hasSeconds(15);
        assertThat(settings.integer("buffer", 1, 1, 100)).isEqualTo(20);
        assertThat(settings.list("groups")).isEqualTo(List.of("a", "b=job"));
        assertThat(settings.withPrefix("producer.")).isEqualTo(Map.of("acks", "all"));
        settings.rejectUnknown(Set.of());
    }

    @Test
    void messagesNameTheSettingTheValueAndWhatIsAllowed() {
        Settings settings =
                new Settings(
                        Map.of(
                                "interval",
                                "soon",
                                "buffer",
                                "0",
                                "include",
                                "some",
                                "rest-url",
                                "ftp://x"),
                        "metrics.reporter.fw.");
        assertThatThrownBy(
                        () ->
                                settings.duration(
                                        "interval",
                                        Duration.ZERO,
                                        Duration.ofSeconds(1),
                                        Duration.ofHours(1)))
                .hasMessage(
                        "metrics.reporter.fw.interval is 'soon'; allowed: a duration from 1s to 1h (e.g. 500ms, 15s, 5m, 1h)");
        assertThatThrownBy(() -> settings.integer("buffer", 1, 1, 100))
                .hasMessage(
                        "metrics.reporter.fw.buffer is '0'; allowed: a whole number from 1 to 100");
        assertThatThrownBy(
                        () -> settings.choice("include", "monitored", List.of("monitored", "all")))
                .hasMessage(
                        "metrics.reporter.fw.include is 'some'; allowed: one of monitored, all");
        assertThatThrownBy(() -> settings.url("rest-url", null))
                .hasMessageContaining(
                        "metrics.reporter.fw.rest-url is 'ftp://x'; allowed: an http or https URL");
        assertThatThrownBy(
                        () -> settings.required("bootstrap-servers", "the Kafka bootstrap servers"))
                .hasMessage(
                        "metrics.reporter.fw.bootstrap-servers is missing: set it to the Kafka bootstrap servers");
    }

    @Test
    void unknownSettingsAreRejectedNamingTheKnownOnes() {
        Settings settings = Settings.fromArgs(new String[] {"--topic", "t", "--intervall", "5s"});
        settings.string("topic", "x");
        settings.string("interval", "15s");
        assertThatThrownBy(() -> settings.rejectUnknown(Set.of()))
                .hasMessage("unknown setting --intervall; known settings are --interval, --topic");
    }

    @Test
    void malformedCommandLines() {
        assertThatThrownBy(() -> Settings.fromArgs(new String[] {"topic", "t"}))
                .hasMessage("expected an option --name, got 'topic'");
        assertThatThrownBy(() -> Settings.fromArgs(new String[] {"--topic"}))
                .hasMessage("option --topic needs a value");
        assertThatThrownBy(() -> Settings.fromArgs(new String[] {"--a", "1", "--a", "2"}))
                .hasMessage("option --a is given twice");
    }

    @Test
    void durations() {
        assertThat(Settings.parseDuration("250")).hasMillis(250);
        assertThat(Settings.parseDuration("250ms")).hasMillis(250);
        assertThat(Settings.parseDuration("2m")).hasMinutes(2);
        assertThat(Settings.parseDuration("2min")).hasMinutes(2);
        assertThat(Settings.parseDuration("1h")).hasHours(1);
        assertThat(Settings.parseDuration("1d")).hasDays(1);
        assertThat(Settings.parseDuration("1.5s")).isNull();
        assertThat(Settings.parseDuration("-1s")).isNull();
    }

    @Test
    void publishersTakeKafkaClientSettingsAsTheJobDoes() {
        Settings settings =
                new Settings(
                        Map.of(
                                "bootstrap-servers", "kafka:9093",
                                "kafka.properties.security.protocol", "SASL_SSL",
                                "kafka.properties.sasl.mechanism", "SCRAM-SHA-512"),
                        "metrics.reporter.flinkwatch.");

        PublisherSettings publisher = PublisherSettings.from(settings);

        assertThat(SnapshotSender.producerProperties(publisher))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("bootstrap.servers", "kafka:9093");
        settings.rejectUnknown(Set.of());
    }

    @Test
    void aKafkaSettingThePublisherControlsIsRefusedByItsFullName() {
        Settings settings =
                new Settings(
                        Map.of(
                                "bootstrap-servers", "kafka:9093",
                                "kafka.properties.bootstrap.servers", "elsewhere:9092"),
                        "metrics.reporter.flinkwatch.");

        assertThatThrownBy(() -> PublisherSettings.from(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "metrics.reporter.flinkwatch.kafka.properties.bootstrap.servers is refused:"
                                + " Flinkwatch controls 'bootstrap.servers'; use bootstrap-servers");
    }

    @Test
    void theLagPollerUsesTheMetricsClustersSettingsForGroupsThereAndItsOwnElsewhere() {
        Map<String, String> common =
                Map.of(
                        "groups", "orders",
                        "cluster", "prod",
                        "bootstrap-servers", "metrics:9093",
                        "kafka.properties.security.protocol", "SASL_SSL");
        io.flinkwatch.ingest.lag.LagPollerSettings sameCluster =
                io.flinkwatch.ingest.lag.LagPollerSettings.from(new Settings(common, "--"));
        assertThat(sameCluster.groupsKafka().properties())
                .containsEntry("security.protocol", "SASL_SSL");

        Map<String, String> elsewhere = new java.util.HashMap<>(common);
        elsewhere.put("groups-bootstrap-servers", "data:9092");
        elsewhere.put("groups-kafka.properties.security.protocol", "SSL");
        io.flinkwatch.ingest.lag.LagPollerSettings otherCluster =
                io.flinkwatch.ingest.lag.LagPollerSettings.from(new Settings(elsewhere, "--"));
        assertThat(otherCluster.groupsKafka().properties())
                .containsEntry("security.protocol", "SSL");
        assertThat(otherCluster.publisher().kafka().properties())
                .containsEntry("security.protocol", "SASL_SSL");
    }
}
