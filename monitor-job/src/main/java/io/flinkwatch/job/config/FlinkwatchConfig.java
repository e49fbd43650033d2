package io.flinkwatch.job.config;

import io.flinkwatch.ingest.KafkaClientProperties;
import io.flinkwatch.ingest.Secrets;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The job parameters' values: those given, and the defaults for the rest. Created from the program
 * arguments ({@code --name value}); anything wrong fails here, before the job starts, with a
 * message naming the parameter, the value and what is allowed.
 */
public final class FlinkwatchConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<String, Object> values;
    private final Map<String, String> given;

    /** Made from {@link FlinkwatchParameters#KAFKA_PROPERTIES} and the file, when checked. */
    private KafkaClientProperties kafkaClientProperties = KafkaClientProperties.none();

    private FlinkwatchConfig(Map<String, Object> values, Map<String, String> given) {
        this.values = values;
        this.given = given;
    }

    /** All defaults. */
    public static FlinkwatchConfig defaults() {
        return fromMap(Map.of());
    }

    /**
     * Reads {@code --name value} pairs.
     *
     * @throws InvalidParameterException for an unknown parameter, a missing value or an invalid one
     */
    public static FlinkwatchConfig fromArgs(String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new InvalidParameterException(
                        "Unexpected argument '"
                                + arg
                                + "': job parameters are given as --name value.");
            }
            String name = arg.substring(2);
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new InvalidParameterException("Job parameter --" + name + " has no value.");
            }
            if (given.put(name, value) != null) {
                throw new InvalidParameterException("Job parameter --" + name + " is given twice.");
            }
        }
        return fromMap(given);
    }

    /** Reads parameter values by name. */
    public static FlinkwatchConfig fromMap(Map<String, String> given) {
        Map<String, Parameter<?>> declared = new HashMap<>();
        for (Parameter<?> parameter : FlinkwatchParameters.all()) {
            declared.put(parameter.name(), parameter);
        }
        Map<String, String> kafkaProperties = new TreeMap<>();
        for (Map.Entry<String, String> entry : given.entrySet()) {
            String name = entry.getKey();
            if (name.startsWith(FlinkwatchParameters.KAFKA_PROPERTIES_PREFIX)
                    && name.length() > FlinkwatchParameters.KAFKA_PROPERTIES_PREFIX.length()) {
                kafkaProperties.put(
                        name.substring(FlinkwatchParameters.KAFKA_PROPERTIES_PREFIX.length()),
                        entry.getValue());
                continue;
            }
            if (!declared.containsKey(name)) {
                throw new InvalidParameterException(
                        "Unknown job parameter --"
                                + name
                                + ". Known parameters: "
                                + String.join(", ", new TreeSet<>(declared.keySet()))
                                + ".");
            }
        }
        Map<String, Object> values = new HashMap<>();
        for (Parameter<?> parameter : FlinkwatchParameters.all()) {
            String text = given.get(parameter.name());
            values.put(
                    parameter.name(),
                    text == null ? parameter.defaultValue() : parameter.parse(text));
        }
        values.put(FlinkwatchParameters.KAFKA_PROPERTIES.name(), Map.copyOf(kafkaProperties));
        FlinkwatchConfig config = new FlinkwatchConfig(values, Map.copyOf(given));
        config.checkTogether();
        return config;
    }

    /** Checks the parameters that limit each other. */
    private void checkTogether() {
        try {
            kafkaClientProperties =
                    KafkaClientProperties.of(
                            get(FlinkwatchParameters.KAFKA_PROPERTIES),
                            get(FlinkwatchParameters.KAFKA_PROPERTIES_FILE),
                            reservedKafkaSettings(get(FlinkwatchParameters.DELIVERY_GUARANTEE)),
                            KAFKA_NAMING);
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException(e.getMessage() + ".");
        }
        checkAlertmanagerHttp();
        int parallelism = get(FlinkwatchParameters.PARALLELISM);
        int max = get(FlinkwatchParameters.MAX_PARALLELISM);
        if (parallelism > max) {
            throw new InvalidParameterException(
                    "Job parameter --"
                            + FlinkwatchParameters.PARALLELISM.name()
                            + " is "
                            + parallelism
                            + ": allowed is at most --"
                            + FlinkwatchParameters.MAX_PARALLELISM.name()
                            + " ("
                            + max
                            + ").");
        }
        checkTransactionTimeout();
        Duration skew = get(FlinkwatchParameters.MAX_CLOCK_SKEW);
        Duration future = get(FlinkwatchParameters.MAX_FUTURE_SKEW);
        if (future.compareTo(skew) < 0) {
            throw new InvalidParameterException(
                    "Job parameter --"
                            + FlinkwatchParameters.MAX_FUTURE_SKEW.name()
                            + " is "
                            + future
                            + ": allowed is at least --"
                            + FlinkwatchParameters.MAX_CLOCK_SKEW.name()
                            + " ("
                            + skew
                            + ").");
        }
    }

    /**
     * Under exactly-once, a transaction stays open from one checkpoint until the next one completes
     * and commits it; one the broker aborts first loses the alerts in it. The interval must leave
     * room for a checkpoint as long as the interval itself: at most half the timeout.
     */
    private void checkTransactionTimeout() {
        if (get(FlinkwatchParameters.DELIVERY_GUARANTEE) != DeliveryMode.EXACTLY_ONCE) {
            return;
        }
        Duration interval = get(FlinkwatchParameters.CHECKPOINT_INTERVAL);
        Duration timeout = get(FlinkwatchParameters.TRANSACTION_TIMEOUT);
        if (interval.multipliedBy(2).compareTo(timeout) > 0) {
            throw new InvalidParameterException(
                    "Job parameter --"
                            + FlinkwatchParameters.CHECKPOINT_INTERVAL.name()
                            + " is "
                            + interval
                            + ": allowed under exactly-once is at most half of --"
                            + FlinkwatchParameters.TRANSACTION_TIMEOUT.name()
                            + " ("
                            + timeout
                            + "), so that a transaction is committed by the next checkpoint, even a"
                            + " slow one, before the broker aborts it and its alerts with it; shorten"
                            + " the interval or lengthen the timeout (at most the broker's"
                            + " transaction.max.timeout.ms).");
        }
    }

    /**
     * Authentication and TLS of Alertmanager forwarding: one kind of credentials, basic auth in
     * full, settings only with a URL that uses them, and no secret in the URL itself.
     */
    private void checkAlertmanagerHttp() {
        String url = get(FlinkwatchParameters.ALERTMANAGER_URL);
        String username = get(FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_USERNAME);
        String passwordFile = get(FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_PASSWORD_FILE);
        String tokenFile = get(FlinkwatchParameters.ALERTMANAGER_BEARER_TOKEN_FILE);
        String caFile = get(FlinkwatchParameters.ALERTMANAGER_TLS_CA_FILE);
        if (!url.isEmpty() && java.net.URI.create(url).getRawUserInfo() != null) {
            throw new InvalidParameterException(
                    "Job parameter --"
                            + FlinkwatchParameters.ALERTMANAGER_URL.name()
                            + " is '"
                            + url
                            + "': allowed is a URL without credentials, since job parameters are"
                            + " shown in Flink's web UI; use --"
                            + FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_USERNAME.name()
                            + " with --"
                            + FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_PASSWORD_FILE.name()
                            + ", or --"
                            + FlinkwatchParameters.ALERTMANAGER_BEARER_TOKEN_FILE.name()
                            + ".");
        }
        for (Parameter<String> setting :
                java.util.List.of(
                        FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_USERNAME,
                        FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_PASSWORD_FILE,
                        FlinkwatchParameters.ALERTMANAGER_BEARER_TOKEN_FILE,
                        FlinkwatchParameters.ALERTMANAGER_TLS_CA_FILE)) {
            if (url.isEmpty() && !get(setting).isEmpty()) {
                throw refused(
                        setting,
                        "only with --"
                                + FlinkwatchParameters.ALERTMANAGER_URL.name()
                                + ", which is empty (forwarding is off)");
            }
        }
        if (!tokenFile.isEmpty() && !(username.isEmpty() && passwordFile.isEmpty())) {
            throw refused(
                    FlinkwatchParameters.ALERTMANAGER_BEARER_TOKEN_FILE,
                    "only without basic auth (--"
                            + FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_USERNAME.name()
                            + ", --"
                            + FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_PASSWORD_FILE.name()
                            + "): a request carries one Authorization header");
        }
        if (!passwordFile.isEmpty() && username.isEmpty()) {
            throw refused(
                    FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_PASSWORD_FILE,
                    "only with --" + FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_USERNAME.name());
        }
        if (!username.isEmpty() && passwordFile.isEmpty()) {
            throw refused(
                    FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_USERNAME,
                    "only with --"
                            + FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_PASSWORD_FILE.name()
                            + " (the password is read from a file, never given as a parameter)");
        }
        if (!caFile.isEmpty() && !url.startsWith("https://")) {
            throw refused(
                    FlinkwatchParameters.ALERTMANAGER_TLS_CA_FILE,
                    "only with an https:// --"
                            + FlinkwatchParameters.ALERTMANAGER_URL.name()
                            + " (it is '"
                            + url
                            + "')");
        }
    }

    private InvalidParameterException refused(Parameter<String> parameter, String allowed) {
        return new InvalidParameterException(
                "Job parameter --"
                        + parameter.name()
                        + " is '"
                        + get(parameter)
                        + "': allowed "
                        + allowed
                        + ".");
    }

    /** Authentication and TLS of Alertmanager forwarding, as the parameters give them. */
    public io.flinkwatch.alerts.alertmanager.AlertmanagerHttpConfig alertmanagerHttp() {
        return new io.flinkwatch.alerts.alertmanager.AlertmanagerHttpConfig(
                get(FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_USERNAME),
                get(FlinkwatchParameters.ALERTMANAGER_BASIC_AUTH_PASSWORD_FILE),
                get(FlinkwatchParameters.ALERTMANAGER_BEARER_TOKEN_FILE),
                get(FlinkwatchParameters.ALERTMANAGER_TLS_CA_FILE));
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Parameter<T> parameter) {
        Object value = values.get(parameter.name());
        if (value == null && !values.containsKey(parameter.name())) {
            throw new IllegalArgumentException("undeclared job parameter " + parameter);
        }
        return (T) value;
    }

    /** The parameters given explicitly, by name. */
    public Map<String, String> given() {
        return given;
    }

    /**
     * The parameters given explicitly as they may be logged: secrets ({@code
     * --kafka.properties.sasl.jaas.config}, any name with password, secret or token, credentials in
     * URLs) masked.
     */
    public Map<String, String> shownGiven() {
        return Secrets.redact(new TreeMap<>(given));
    }

    /**
     * The Kafka client settings of every Kafka client of the job ({@code --kafka.properties.*} and
     * {@code --kafka.properties-file}), checked.
     */
    public KafkaClientProperties kafkaClientProperties() {
        return kafkaClientProperties;
    }

    /** Kafka settings the job controls, each with what to do instead. */
    static Map<String, String> reservedKafkaSettings(DeliveryMode delivery) {
        Map<String, String> reserved = new LinkedHashMap<>();
        reserved.put("bootstrap.servers", "use --" + FlinkwatchParameters.BOOTSTRAP_SERVERS.name());
        reserved.put("group.id", "use --" + FlinkwatchParameters.GROUP_ID.name());
        for (String serde :
                List.of(
                        "key.deserializer",
                        "value.deserializer",
                        "key.serializer",
                        "value.serializer")) {
            reserved.put(
                    serde,
                    "snapshots, alerts and dead letters are bytes in Flinkwatch's own formats");
        }
        reserved.put(
                "transactional.id",
                "transactional ids are made from --"
                        + FlinkwatchParameters.TRANSACTIONAL_ID_PREFIX.name());
        reserved.put(
                "transaction.timeout.ms",
                "use --" + FlinkwatchParameters.TRANSACTION_TIMEOUT.name());
        reserved.put("isolation.level", "each reader of the job sets the level it needs");
        if (delivery == DeliveryMode.EXACTLY_ONCE) {
            reserved.put(
                    "enable.idempotence",
                    "exactly-once delivery needs idempotent producers (--"
                            + FlinkwatchParameters.DELIVERY_GUARANTEE.name()
                            + " at-least-once lets you choose)");
        }
        return reserved;
    }

    private static final KafkaClientProperties.Naming KAFKA_NAMING =
            new KafkaClientProperties.Naming(
                    "Job parameter --" + FlinkwatchParameters.KAFKA_PROPERTIES_PREFIX,
                    "Job parameter --" + FlinkwatchParameters.KAFKA_PROPERTIES_FILE.name());

    /** A copy with some parameters changed (for tests and the demo). */
    public FlinkwatchConfig with(Map<String, String> changes) {
        Map<String, String> merged = new HashMap<>(given);
        merged.putAll(changes);
        return fromMap(merged);
    }
}
