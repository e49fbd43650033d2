package io.flinkwatch.ingest.prometheus;

import io.flinkwatch.ingest.publish.PublisherSettings;
import io.flinkwatch.ingest.publish.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * The Prometheus bridge's command line.
 *
 * @param publisher where snapshots go
 * @param cluster the name of the scraped Flink cluster
 * @param targets the Prometheus endpoints of its JobManager and TaskManagers
 * @param interval time between scrapes
 * @param timeout how long one scrape may take
 * @param restUrl the JobManager's REST API, for true job and vertex names, job status, job graph
 *     and checkpoint interval; null to do without
 * @param allMetrics send every metric of a job, not only those Flinkwatch reads
 */
public record BridgeSettings(
        PublisherSettings publisher,
        String cluster,
        List<URI> targets,
        Duration interval,
        Duration timeout,
        @Nullable URI restUrl,
        boolean allMetrics) {

    public static BridgeSettings from(Settings settings) {
        List<URI> targets = new ArrayList<>();
        for (String target : settings.list("targets")) {
            targets.add(settings.checkUrl("targets", target));
        }
        if (targets.isEmpty()) {
            settings.required(
                    "targets",
                    "the comma-separated Prometheus endpoints of the JobManager and TaskManagers, e.g. http://jm:9249/metrics,http://tm-1:9249/metrics");
        }
        Duration interval =
                settings.duration(
                        "interval",
                        Duration.ofSeconds(15),
                        Duration.ofSeconds(1),
                        Duration.ofMinutes(10));
        BridgeSettings parsed =
                new BridgeSettings(
                        PublisherSettings.from(settings),
                        settings.required("cluster", "the name of the Flink cluster, e.g. prod-eu"),
                        List.copyOf(targets),
                        interval,
                        settings.duration(
                                "timeout",
                                Duration.ofSeconds(10),
                                Duration.ofMillis(100),
                                Duration.ofMinutes(10)),
                        settings.url("flink-rest-url", null),
                        settings.choice("include", "monitored", List.of("monitored", "all"))
                                .equals("all"));
        settings.rejectUnknown(Set.of());
        return parsed;
    }
}
