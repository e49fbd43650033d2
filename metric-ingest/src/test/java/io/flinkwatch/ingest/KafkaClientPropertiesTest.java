package io.flinkwatch.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropertiesTest {

    private static final KafkaClientProperties.Naming NAMING =
            new KafkaClientProperties.Naming("--kafka.properties.", "--kafka.properties-file");
    private static final Map<String, String> RESERVED = Map.of("group.id", "use --kafka.group-id");
    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"fw\""
                    + " password=\"s3cret\";";

    @TempDir Path dir;

    @Test
    void settingsGivenByNameGoToTheClientsAsTheyAre() {
        KafkaClientProperties settings =
                KafkaClientProperties.of(
                        Map.of("security.protocol", "SASL_SSL", "request.timeout.ms", "5000"),
                        "",
                        RESERVED,
                        NAMING);

        assertThat(settings.properties())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("security.protocol", "SASL_SSL", "request.timeout.ms", "5000"));
    }

    @Test
    void aReservedSettingIsRefusedWithWhatToDoInstead() {
        assertThatThrownBy(
                        () ->
                                KafkaClientProperties.of(
                                        Map.of("group.id", "mine"), null, RESERVED, NAMING))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--kafka.properties.group.id is refused: Flinkwatch controls 'group.id';"
                                + " use --kafka.group-id");
    }

    @Test
    void theFilesValuesTravelAsReferencesThatKafkaResolvesWhereTheClientIsCreated()
            throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(file, "sasl.jaas.config=" + JAAS + "\nsasl.mechanism=SCRAM-SHA-512\n");

        KafkaClientProperties settings =
                KafkaClientProperties.of(
                        Map.of("security.protocol", "SASL_SSL"), file.toString(), RESERVED, NAMING);
        Properties properties = settings.properties();

        assertThat(properties.values().toString()).doesNotContain("s3cret");
        assertThat(properties.getProperty("sasl.jaas.config"))
                .isEqualTo("${flinkwatchfile:" + file + ":sasl.jaas.config}");
        // What a real Kafka client makes of them: the file's values, read now.
        Properties client = withBootstrap(properties);
        client.setProperty("key.serializer", ByteArraySerializer.class.getName());
        client.setProperty("value.serializer", ByteArraySerializer.class.getName());
        ProducerConfig resolved = new ProducerConfig(client);
        assertThat(resolved.getPassword("sasl.jaas.config").value()).isEqualTo(JAAS);
        assertThat(resolved.getString("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(resolved.getString("security.protocol")).isEqualTo("SASL_SSL");
    }

    @Test
    void aSettingGivenByNameWinsOverTheFile() throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(file, "sasl.mechanism=PLAIN\nsecurity.protocol=SASL_SSL\n");

        Properties properties =
                KafkaClientProperties.of(
                                Map.of("sasl.mechanism", "SCRAM-SHA-512"),
                                file.toString(),
                                RESERVED,
                                NAMING)
                        .properties();

        assertThat(properties.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(properties.getProperty("security.protocol")).startsWith("${flinkwatchfile:");
    }

    @Test
    void theFileProviderIsAddedToConfigProvidersTheUserAlreadyHas() throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(file, "sasl.mechanism=PLAIN\n");

        Properties properties =
                KafkaClientProperties.of(
                                Map.of("config.providers", "vault"),
                                file.toString(),
                                RESERVED,
                                NAMING)
                        .properties();

        assertThat(properties.getProperty("config.providers")).isEqualTo("vault,flinkwatchfile");
    }

    @Test
    void aMissingFileFailsNamingThePathAndTheReason() {
        Path missing = dir.resolve("nowhere.properties");

        assertThatThrownBy(
                        () ->
                                KafkaClientProperties.of(
                                        Map.of(), missing.toString(), RESERVED, NAMING))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--kafka.properties-file '"
                                + missing
                                + "' cannot be read (NoSuchFileException): allowed is a readable"
                                + " Java properties file of Kafka client settings");
    }

    @Test
    void aReservedSettingInTheFileIsRefusedNamingTheFile() throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(file, "group.id=mine\n");

        assertThatThrownBy(
                        () -> KafkaClientProperties.of(Map.of(), file.toString(), RESERVED, NAMING))
                .hasMessage(
                        "key 'group.id' of --kafka.properties-file '"
                                + file
                                + "' is refused: Flinkwatch controls 'group.id'; use"
                                + " --kafka.group-id");
    }

    @Test
    void shownSettingsMaskSecretsAndNameTheFileInsteadOfItsValues() throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(file, "ssl.truststore.password=changeit\n");

        KafkaClientProperties settings =
                KafkaClientProperties.of(
                        Map.of("sasl.jaas.config", JAAS, "security.protocol", "SASL_SSL"),
                        file.toString(),
                        RESERVED,
                        NAMING);

        assertThat(settings.shown())
                .containsEntry("sasl.jaas.config", Secrets.MASK)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.password", "(from " + file + ")");
        assertThat(settings.toString()).doesNotContain("s3cret").doesNotContain("changeit");
    }

    private static Properties withBootstrap(Properties properties) {
        Properties copy = new Properties();
        copy.putAll(properties);
        copy.setProperty("bootstrap.servers", "127.0.0.1:9");
        return copy;
    }
}
