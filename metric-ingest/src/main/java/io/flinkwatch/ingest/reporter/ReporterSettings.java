package io.flinkwatch.ingest.reporter;

import io.flinkwatch.ingest.publish.PublisherSettings;
import io.flinkwatch.ingest.publish.Settings;
import io.flinkwatch.ingest.snapshot.SnapshotLimits;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * The reporter's settings, from {@code metrics.reporter.<name>.*} in the cluster's configuration.
 *
 * @param publisher where snapshots go (bootstrap servers, topic, buffer)
 * @param cluster the name of this Flink cluster, part of every alert's identity
 * @param restUrl the JobManager's REST API, for job status, job graph and checkpoint interval; null
 *     to leave them out
 * @param restRefresh how often job details are read again
 * @param allMetrics send every numeric metric, not only those Flinkwatch reads
 */
public record ReporterSettings(
        PublisherSettings publisher,
        String cluster,
        @Nullable URI restUrl,
        Duration restRefresh,
        boolean allMetrics) {

    /** Keys Flink itself reads from the reporter's configuration; not the reporter's business. */
    static final Set<String> FLINK_KEYS =
            Set.of(
                    "factory.class",
                    "interval",
                    "scope.delimiter",
                    "scope.variables.excludes",
                    "scope.variables.additional",
                    "filter.includes",
                    "filter.excludes",
                    "class");

    public static ReporterSettings from(Settings settings) {
        String cluster =
                settings.required("cluster", "the name of this Flink cluster, e.g. prod-eu");
        if (cluster.length() > SnapshotLimits.MAX_STRING_LENGTH
                || cluster.chars().anyMatch(Character::isISOControl)) {
            throw settings.invalid(
                    "cluster",
                    cluster,
                    "a name of at most "
                            + SnapshotLimits.MAX_STRING_LENGTH
                            + " characters without control characters");
        }
        ReporterSettings parsed =
                new ReporterSettings(
                        PublisherSettings.from(settings),
                        cluster,
                        settings.url("rest-url", "http://localhost:8081"),
                        settings.duration(
                                "rest-refresh",
                                Duration.ofSeconds(10),
                                Duration.ofSeconds(1),
                                Duration.ofHours(1)),
                        settings.choice("include", "monitored", List.of("monitored", "all"))
                                .equals("all"));
        settings.rejectUnknown(FLINK_KEYS);
        return parsed;
    }
}
