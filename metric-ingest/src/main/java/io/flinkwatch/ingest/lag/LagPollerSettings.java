package io.flinkwatch.ingest.lag;

import io.flinkwatch.ingest.KafkaClientProperties;
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
 * @param groupsKafka Kafka client settings for the groups' cluster: {@code
 *     groups-kafka.properties.*} and {@code groups-kafka.properties-file}; without {@code
 *     groups-bootstrap-servers} (the groups consume from the metrics cluster), the publisher's
 *     settings unless these are given
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
        KafkaClientProperties groupsKafka,
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
        String groupsBootstrapServers = settings.string("groups-bootstrap-servers", null);
        KafkaClientProperties groupsKafka = PublisherSettings.kafka(settings, "groups-kafka.");
        if (groupsKafka.isEmpty() && groupsBootstrapServers == null) {
            // The same cluster: the same credentials.
            groupsKafka = publisher.kafka();
        }
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
                        groupsBootstrapServers == null
                                ? publisher.bootstrapServers()
                                : groupsBootstrapServers,
                        groupsKafka,
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
