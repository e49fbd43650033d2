package io.flinkwatch.job.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.job.Snapshots;
import org.junit.jupiter.api.Test;

class JobKeysTest {

    @Test
    void theSelectorGivesEveryJobItsOwnKeyAndReusesTheLastOne() {
        JobKeys.SnapshotKeySelector selector = new JobKeys.SnapshotKeySelector();
        MetricSnapshot orders = Snapshots.job("orders").task("Map", 0, 0).at(1_000).build();
        MetricSnapshot ordersAgain = Snapshots.job("orders").task("Map", 1, 0).at(1_000).build();
        MetricSnapshot elsewhere =
                Snapshots.job("orders").cluster("other").task("Map", 0, 0).at(1_000).build();
        MetricSnapshot payments = Snapshots.job("payments").task("Map", 0, 0).at(1_000).build();

        String first = selector.getKey(orders);
        assertThat(first).isEqualTo(JobKeys.of(orders));
        assertThat(selector.getKey(ordersAgain)).isSameAs(first);
        assertThat(selector.getKey(elsewhere)).isEqualTo(JobKeys.of(elsewhere)).isNotEqualTo(first);
        assertThat(selector.getKey(payments)).isEqualTo(JobKeys.of(payments));
        assertThat(selector.getKey(orders)).isEqualTo(first);
    }
}
