package io.flinkwatch.ingest;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.kafka.common.config.provider.FileConfigProvider;

/**
 * Kafka client settings that users pass to every Kafka client Flinkwatch creates (security,
 * timeouts, ...): given one by one ({@code kafka.properties.<name>}) and from a Java properties
 * file ({@code kafka.properties-file}), as Flink's Kafka table connector takes {@code
 * properties.*}. Where both set a key, the one given by name wins.
 *
 * <p>Values from the file never travel with the job: each of its keys is handed to the clients as a
 * reference that Kafka's {@link FileConfigProvider} resolves when a client is created, so the file
 * is read on every machine that creates one (the TaskManagers, the JobManager's source enumerator)
 * and its secrets are in no job graph, savepoint or web UI. The file is also read once where the
 * settings are made, to learn its keys and to fail at start when it is missing.
 *
 * <p>Keys that Flinkwatch itself controls are refused, with what to use instead.
 */
public final class KafkaClientProperties implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The config provider alias under which the file's keys are resolved. */
    static final String FILE_PROVIDER = "flinkwatchfile";

    private static final String CONFIG_PROVIDERS = "config.providers";

    private final TreeMap<String, String> given;
    @Nullable private final String file;
    private final List<String> fileKeys;

    private KafkaClientProperties(
            TreeMap<String, String> given, @Nullable String file, List<String> fileKeys) {
        this.given = given;
        this.file = file;
        this.fileKeys = fileKeys;
    }

    /** No settings: clients get only what Flinkwatch sets. */
    public static KafkaClientProperties none() {
        return new KafkaClientProperties(new TreeMap<>(), null, List.of());
    }

    /**
     * Checks and keeps the settings.
     *
     * @param given settings by Kafka key, as given one by one
     * @param file the path of a properties file, or null or empty for none
     * @param reserved keys Flinkwatch controls, each with what to do instead
     * @param naming how the settings are written where the user sets them, for messages
     * @throws IllegalArgumentException naming the setting, the value (unless secret) and what is
     *     allowed: a reserved key, or a file that cannot be read
     */
    public static KafkaClientProperties of(
            Map<String, String> given,
            @Nullable String file,
            Map<String, String> reserved,
            Naming naming) {
        TreeMap<String, String> checked = new TreeMap<>();
        given.forEach(
                (key, value) -> {
                    refuseReserved(key, reserved, naming.prefix() + key);
                    checked.put(key, value);
                });
        if (file == null || file.isBlank()) {
            return new KafkaClientProperties(checked, null, List.of());
        }
        Path path = Path.of(file.trim()).toAbsolutePath().normalize();
        String where = naming.file() + " '" + path + "'";
        if (path.toString().contains(":") || path.toString().contains("}")) {
            throw new IllegalArgumentException(
                    where + ": allowed is a path without ':' or '}' (Kafka's file references)");
        }
        Properties fromFile = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            fromFile.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where
                            + " cannot be read ("
                            + e.getClass().getSimpleName()
                            + (e.getMessage() == null || e.getMessage().equals(path.toString())
                                    ? ""
                                    : ": " + Secrets.redactUrls(e.getMessage()))
                            + "): allowed is a readable Java properties file of Kafka client"
                            + " settings");
        }
        List<String> keys = new ArrayList<>();
        for (String key : new TreeSet<>(fromFile.stringPropertyNames())) {
            refuseReserved(key, reserved, "key '" + key + "' of " + where);
            if (!checked.containsKey(key)) {
                keys.add(key);
            }
        }
        return new KafkaClientProperties(
                checked, path.toString(), Collections.unmodifiableList(keys));
    }

    private static void refuseReserved(String key, Map<String, String> reserved, String setting) {
        String instead = reserved.get(key);
        if (instead != null) {
            throw new IllegalArgumentException(
                    setting + " is refused: Flinkwatch controls '" + key + "'; " + instead);
        }
    }

    /**
     * The settings for a Kafka client: those given by name, and a reference to the file for each of
     * the file's other keys. Add them first, then what Flinkwatch sets.
     */
    public Properties properties() {
        Properties properties = new Properties();
        given.forEach(properties::setProperty);
        if (file != null && !fileKeys.isEmpty()) {
            String providers = given.get(CONFIG_PROVIDERS);
            properties.setProperty(
                    CONFIG_PROVIDERS,
                    providers == null || providers.isBlank()
                            ? FILE_PROVIDER
                            : providers + "," + FILE_PROVIDER);
            properties.setProperty(
                    CONFIG_PROVIDERS + "." + FILE_PROVIDER + ".class",
                    FileConfigProvider.class.getName());
            for (String key : fileKeys) {
                properties.setProperty(key, "${" + FILE_PROVIDER + ":" + file + ":" + key + "}");
            }
        }
        return properties;
    }

    /** The settings as they may be shown: secrets masked, the file's keys named with the file. */
    public Map<String, String> shown() {
        Map<String, String> shown = new LinkedHashMap<>(Secrets.redact(given));
        for (String key : fileKeys) {
            shown.put(key, "(from " + file + ")");
        }
        return shown;
    }

    /** Whether there is no setting at all. */
    public boolean isEmpty() {
        return given.isEmpty() && fileKeys.isEmpty();
    }

    @Override
    public String toString() {
        return shown().toString();
    }

    /**
     * How the settings are written where the user sets them.
     *
     * @param prefix the prefix of a setting given by name, e.g. {@code --kafka.properties.}
     * @param file the name of the file setting, e.g. {@code --kafka.properties-file}
     */
    public record Naming(String prefix, String file) implements Serializable {}
}
