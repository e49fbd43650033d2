package io.flinkwatch.job.config;

import static io.flinkwatch.job.config.ValueParsers.format;

import io.flinkwatch.ingest.kafka.MetricSnapshotSource.StartingOffsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every job parameter of Flinkwatch, declared once: name, kind of value, default, description and
 * validation. The README's parameter table is generated from this list ({@link ParameterTable}).
 *
 * <p>Defaults of detection rules are the numbers of the article the rules come from.
 */
public final class FlinkwatchParameters {

    private static final List<Parameter<?>> ALL = new ArrayList<>();

    private static final Duration MAX_DURATION = Duration.ofDays(365);

    // --- Kafka -----------------------------------------------------------------------------

    public static final Parameter<String> BOOTSTRAP_SERVERS =
            text("kafka.bootstrap-servers", "localhost:9092", "Kafka bootstrap servers for all topics.");

    public static final Parameter<List<String>> METRICS_TOPICS =
            declare(
                    "kafka.metrics-topics",
                    "comma-separated topics",
                    "flink-metrics",
                    "Topics the metric snapshots are read from.",
                    ValueParsers.list(false));

    public static final Parameter<String> ALERTS_TOPIC =
            text("kafka.alerts-topic", "flinkwatch-alerts", "Topic alert events are written to.");

    public static final Parameter<String> DEAD_LETTER_TOPIC =
            text(
                    "kafka.dead-letter-topic",
                    "flinkwatch-dead-letters",
                    "Topic that receives every snapshot that could not be used, with the reason and"
                            + " the raw bytes.");

    public static final Parameter<String> GROUP_ID =
            text(
                    "kafka.group-id",
                    "flinkwatch",
                    "Consumer group of the metrics source (offsets are committed on checkpoints).");

    public static final Parameter<StartingOffsets> STARTING_OFFSETS =
            choice(
                    "kafka.starting-offsets",
                    StartingOffsets.class,
                    StartingOffsets.COMMITTED,
                    "Where reading starts without a checkpoint: the group's committed offsets (falling"
                            + " back to the earliest), the earliest or the latest.");

    public static final Parameter<Boolean> BOUNDED =
            bool(
                    "kafka.bounded",
                    false,
                    "Stop at the offsets that are latest when the job starts: replays a recorded"
                            + " incident and exits.");

    public static final Parameter<DeliveryMode> DELIVERY_GUARANTEE =
            choice(
                    "delivery.guarantee",
                    DeliveryMode.class,
                    DeliveryMode.EXACTLY_ONCE,
                    "Guarantee of the alerts and dead-letter outputs. Exactly-once makes alerts"
                            + " visible to read_committed consumers when a checkpoint completes.");

    public static final Parameter<String> TRANSACTIONAL_ID_PREFIX =
            text(
                    "kafka.transactional-id-prefix",
                    "flinkwatch",
                    "Prefix of the Kafka transactional ids (exactly-once); unique per deployment.");

    public static final Parameter<Duration> TRANSACTION_TIMEOUT =
            duration(
                    "kafka.transaction-timeout",
                    "15m",
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(15),
                    "Producer transaction timeout (exactly-once); at most the broker's"
                            + " transaction.max.timeout.ms.");

    // --- Runtime ---------------------------------------------------------------------------

    public static final Parameter<Duration> CHECKPOINT_INTERVAL =
            duration(
                    "checkpoint.interval",
                    "10s",
                    Duration.ofMillis(100),
                    Duration.ofHours(1),
                    "Checkpoint interval; with exactly-once, alerts are published at this pace.");

    public static final Parameter<Integer> PARALLELISM =
            declare(
                    "parallelism",
                    "whole number ≥ 0",
                    "0",
                    "Parallelism of the job; 0 keeps the cluster's default.",
                    ValueParsers.integer(0, 10_000));

    // --- Ingest and event time -------------------------------------------------------------

    public static final Parameter<Integer> MAX_SNAPSHOT_BYTES =
            declare(
                    "ingest.max-snapshot-bytes",
                    "whole number from 1024 to 16777216",
                    "524288",
                    "Largest accepted snapshot record; larger ones go to the dead-letter topic.",
                    ValueParsers.integer(1024, 16 * 1024 * 1024));

    public static final Parameter<Duration> MAX_FUTURE_SKEW =
            duration(
                    "ingest.max-future-skew",
                    "10m",
                    Duration.ZERO,
                    Duration.ofDays(1),
                    "How far ahead of the monitor's clock a snapshot timestamp may be before it is"
                            + " rejected as implausible.");

    public static final Parameter<Duration> OUT_OF_ORDERNESS =
            duration(
                    "watermark.out-of-orderness",
                    "15s",
                    Duration.ZERO,
                    Duration.ofHours(1),
                    "How late (in event time) a snapshot may arrive behind the newest one; later ones"
                            + " go to the dead-letter topic as LATE.");

    public static final Parameter<Duration> IDLENESS =
            duration(
                    "watermark.idleness",
                    "1m",
                    Duration.ZERO,
                    Duration.ofHours(1),
                    "Silence after which a metrics partition stops holding event time back; 0 turns"
                            + " idleness off.");

    // --- Detection -------------------------------------------------------------------------

    public static final Parameter<Duration> EVALUATION_INTERVAL =
            duration(
                    "evaluation.interval",
                    "15s",
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(10),
                    "Event-time interval at which rules are evaluated (Prometheus'"
                            + " evaluation_interval).");

    public static final Parameter<Duration> SERIES_STALENESS =
            duration(
                    "series.staleness",
                    "5m",
                    Duration.ofSeconds(1),
                    Duration.ofHours(6),
                    "A series without a sample for this long is gone: its rules stop holding"
                            + " (Prometheus' lookback delta).");

    public static final Parameter<List<String>> DISABLED_RULES =
            declare(
                    "rules.disabled",
                    "comma-separated alert names",
                    "",
                    "Alerts that are not evaluated at all.",
                    ValueParsers.list(true));

    public static final Parameter<Duration> JOB_NOT_RUNNING_FOR =
            duration(
                    "rule.job-not-running.for",
                    "2m",
                    Duration.ZERO,
                    MAX_DURATION,
                    "FlinkJobNotRunning: how long uptime must be 0 (or the status other than RUNNING)"
                            + " before the alert fires.");

    public static final Parameter<Duration> METRICS_ABSENT_AFTER =
            duration(
                    "rule.metrics-absent.after",
                    "2m",
                    Duration.ofSeconds(1),
                    MAX_DURATION,
                    "FlinkMetricsAbsent: how long a job may send no snapshot at all. Measured in event"
                            + " time and, so that a lone silent job is noticed, in wall-clock time since"
                            + " its last snapshot arrived.");

    private FlinkwatchParameters() {}

    /** All parameters, in declaration order. */
    public static List<Parameter<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    private static <T> Parameter<T> declare(
            String name, String type, String defaultText, String description, ValueParser<T> parser) {
        Parameter<T> parameter = new Parameter<>(name, type, defaultText, description, parser);
        for (Parameter<?> existing : ALL) {
            if (existing.name().equals(name)) {
                throw new IllegalStateException("job parameter declared twice: " + name);
            }
        }
        ALL.add(parameter);
        return parameter;
    }

    private static Parameter<String> text(String name, String defaultText, String description) {
        return declare(name, "string", defaultText, description, ValueParsers.text());
    }

    private static Parameter<Boolean> bool(String name, boolean defaultValue, String description) {
        return declare(name, "true or false", Boolean.toString(defaultValue), description, ValueParsers.bool());
    }

    private static <E extends Enum<E>> Parameter<E> choice(
            String name, Class<E> type, E defaultValue, String description) {
        return declare(
                name,
                "one of " + ValueParsers.choices(type),
                ValueParsers.wireName(defaultValue),
                description,
                ValueParsers.choice(type));
    }

    static Parameter<Duration> duration(
            String name, String defaultText, Duration min, Duration max, String description) {
        return declare(
                name,
                "duration from " + format(min) + " to " + format(max),
                defaultText,
                description,
                ValueParsers.duration(min, max));
    }

    static Parameter<Double> number(
            String name, String defaultText, double min, double max, String description) {
        String type =
                Double.isInfinite(max)
                        ? "number ≥ " + plain(min)
                        : "number from " + plain(min) + " to " + plain(max);
        return declare(name, type, defaultText, description, ValueParsers.number(min, max));
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
