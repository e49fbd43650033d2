package io.flinkwatch.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.KafkaClientProperties;
import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.Scope;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** The sender with no Kafka to talk to: nothing the caller does may wait for it. */
class SnapshotSenderTest {

    private static final MetricSnapshot SNAPSHOT =
            new MetricSnapshot(
                    1_767_571_200_000L,
                    "prod",
                    JobRef.of("j", "orders"),
                    Scope.job(),
                    Map.of("uptime", 1.0),
                    null);

    @Test
    void withTheBrokerDownOffersReturnAtOnceAndOverflowIsCounted() throws Exception {
        PublisherSettings settings =
                new PublisherSettings(
                        "127.0.0.1:" + closedPort(),
                        "flink-metrics",
                        100,
                        Duration.ofMinutes(1),
                        KafkaClientProperties.none());
        try (SnapshotSender sender = SnapshotSender.start(settings)) {
            long start = System.nanoTime();
            int accepted = 0;
            for (int i = 0; i < 10_000; i++) {
                if (sender.offer(SNAPSHOT)) {
                    accepted++;
                }
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            // Only what fits in the buffer is taken (the sender thread may have moved a few on).
            assertThat(accepted).isBetween(100, 200);
            assertThat(sender.droppedCount()).isGreaterThanOrEqualTo(10_000 - 200);
            assertThat(sender.sentCount()).isZero();
            // 10,000 offers against a dead broker: no network wait, however slow the machine.
            assertThat(elapsedMs).isLessThan(2_000);
        }
    }

    @Test
    void aProducerThatCannotBeCreatedIsRetriedAndStaleSnapshotsAreDropped() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        PublisherSettings settings =
                new PublisherSettings(
                        "kafka:9092",
                        "flink-metrics",
                        100,
                        Duration.ofSeconds(1),
                        KafkaClientProperties.none());
        SnapshotSender sender =
                SnapshotSender.start(
                        settings,
                        () -> {
                            attempts.incrementAndGet();
                            throw new KafkaException(
                                    "No resolvable bootstrap urls given in bootstrap.servers");
                        });
        for (int i = 0; i < 10; i++) {
            assertThat(sender.offer(SNAPSHOT)).isTrue();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (sender.droppedCount() < 10 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        // Buffered snapshots outlive the maximum age while there is no producer: dropped, counted.
        assertThat(sender.droppedCount()).isEqualTo(10);
        assertThat(sender.buffered()).isZero();
        assertThat(attempts.get()).isGreaterThanOrEqualTo(2);
        long closing = System.nanoTime();
        sender.close();
        assertThat((System.nanoTime() - closing) / 1_000_000).isLessThan(5_000);
        assertThat(sender.offer(SNAPSHOT)).isFalse();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
