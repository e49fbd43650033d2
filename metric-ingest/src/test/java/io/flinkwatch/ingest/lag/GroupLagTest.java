package io.flinkwatch.ingest.lag;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.ScopeLevel;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupLagTest {

    private static final long HOUR = 3_600_000;

    @Test
    void oneExternalOperatorSnapshotPerTopicUnderTheJobsName() {
        GroupLag lag = new GroupLag("orders-group", "orders-cdc", HOUR, 60_000);
        lag.poll(
                0,
                "prod",
                "j1",
                Map.of(
                        "orders",
                        Map.of(
                                0,
                                new GroupLag.Offsets(100, 100),
                                1,
                                new GroupLag.Offsets(200, 180))));
        Map<String, MetricSnapshot> snapshots =
                lag.poll(
                        15_000,
                        "prod",
                        "j1",
                        Map.of(
                                "orders",
                                        Map.of(
                                                0,
                                                new GroupLag.Offsets(250, 100),
                                                1,
                                                new GroupLag.Offsets(350, 330)),
                                "refunds", Map.of(0, new GroupLag.Offsets(10, -1))));

        // refunds has no committed offset: the group has not consumed it yet.
        assertThat(snapshots).containsOnlyKeys("orders");
        MetricSnapshot orders = snapshots.get("orders");
        assertThat(orders.external()).isTrue();
        assertThat(orders.timestamp()).isEqualTo(15_000);
        assertThat(orders.job().name()).isEqualTo("orders-cdc");
        assertThat(orders.job().id()).isEqualTo("j1");
        assertThat(orders.scope().level()).isEqualTo(ScopeLevel.OPERATOR);
        assertThat(orders.scope().vertexName()).isEqualTo("Kafka consumer group orders-group");
        assertThat(orders.scope().operatorName()).isEqualTo("orders");
        // Partition 0: 150 behind, its record at 100 produced at t=0 (log end 100): 15 s.
        // Partition 1: 20 behind; committed 330 passed between 200 (t=0) and 350 (t=15 s) at 13 s:
        // 2 s.
        // Consumed: partition 0 nothing, partition 1 150 in 15 s.
        assertThat(orders.metrics())
                .containsEntry("records-lag-max", 150.0)
                .containsEntry("consumer-group-lag", 170.0)
                .containsEntry("consumer-group-lag-seconds", 15.0)
                .containsEntry("records-consumed-rate", 10.0);
    }

    @Test
    void partitionsThatGoAwayAreForgotten() {
        GroupLag lag = new GroupLag("g", "g", HOUR, 60_000);
        lag.poll(0, "c", "j", Map.of("t", Map.of(0, new GroupLag.Offsets(100, 0))));
        lag.poll(15_000, "c", "j", Map.of("u", Map.of(0, new GroupLag.Offsets(5, 5))));
        Map<String, MetricSnapshot> back =
                lag.poll(30_000, "c", "j", Map.of("t", Map.of(0, new GroupLag.Offsets(400, 0))));
        // A fresh history for t/0: one poll, so no estimate in seconds yet.
        assertThat(back.get("t").metrics())
                .containsEntry("records-lag-max", 400.0)
                .doesNotContainKey("consumer-group-lag-seconds");
    }
}
