package io.flinkwatch.ingest.lag;

import io.flinkwatch.ingest.publish.PublisherSettings;
import io.flinkwatch.ingest.publish.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * The consumer-group lag poller's command line.
 *
 * @param publisher where snapshots go
 * @param cluster the name of the Flink cluster the consuming jobs run on
 * @param groups the consumer groups to watch, each with the name of the Flink job that consumes
 *     with it (alerts and inhibition go by job name)
 * @param groupsBootstrapServers the Kafka cluster the groups consume from
 * @param adminOverrides extra Kafka Admin client properties (security settings, say)
 * @param interval time between polls
 * @param history how long log-end offsets are kept for the lag in seconds; lag older than that is
 *     extrapolated from the production rate
 * @param rateWindow the window of the consumption rate
 * @param restUrl the JobManager's REST API, to find the job ids of the named jobs; null to do
 *     without (job id {@code unknown})
 */
public record LagPollerSettings(
        PublisherSettings publisher,
        String cluster,
        Map<String, String> groups,
        String groupsBootstrapServers,
        Map<String, String> adminOverrides,
        Duration interval,
        Duration history,
        Duration rateWindow,
        @Nullable URI restUrl) {

    public static LagPollerSettings from(Settings settings) {
        Map<String, String> groups = new LinkedHashMap<>();
        for (String item : settings.list("groups")) {
            int equals = item.indexOf('=');
            String group = equals < 0 ? item : item.substring(0, equals).trim();
            String job = equals < 0 ? item : item.substring(equals + 1).trim();
            if (group.isEmpty() || job.isEmpty() || groups.put(group, job) != null) {
                throw settings.invalid(
                        "groups",
                        item,
                        "a comma-separated list of GROUP or GROUP=JOB-NAME, each group once");
            }
        }
        if (groups.isEmpty()) {
            settings.required(
                    "groups",
                    "the consumer groups to watch, e.g. orders-cdc or orders-group=orders-cdc (group=Flink job name)");
        }
        PublisherSettings publisher = PublisherSettings.from(settings);
        Duration interval =
                settings.duration(
                        "interval",
                        Duration.ofSeconds(15),
                        Duration.ofSeconds(1),
                        Duration.ofMinutes(10));
        LagPollerSettings parsed =
                new LagPollerSettings(
                        publisher,
                        settings.required(
                                "cluster",
                                "the name of the Flink cluster the consuming jobs run on, e.g. prod-eu"),
                        Map.copyOf(groups),
                        settings.string("groups-bootstrap-servers", publisher.bootstrapServers()),
                        settings.withPrefix("admin."),
                        interval,
                        settings.duration(
                                "history",
                                Duration.ofHours(1),
                                interval.multipliedBy(2),
                                Duration.ofDays(1)),
                        settings.duration(
                                "rate-window",
                                Duration.ofMinutes(2),
                                interval,
                                Duration.ofHours(1)),
                        settings.url("flink-rest-url", null));
        settings.rejectUnknown(Set.of());
        return parsed;
    }
}
