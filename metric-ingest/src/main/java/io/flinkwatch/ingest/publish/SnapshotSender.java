package io.flinkwatch.ingest.publish;

import io.flinkwatch.ingest.snapshot.JobRef;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.Scope;
import io.flinkwatch.ingest.snapshot.SnapshotWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends snapshots to the metrics topic without ever making the caller wait.
 *
 * <p>Publishers run next to the jobs they observe (the metric reporter runs inside Flink's own
 * processes), so Kafka being slow or down must cost them nothing: {@link #offer} only puts the
 * snapshot into a bounded buffer; a daemon thread serializes and hands it to a Kafka producer. When
 * the buffer is full, or Kafka does not take a snapshot in time, the snapshot is dropped, counted
 * and logged at most once a minute. Records are keyed by cluster and job name so that one job's
 * snapshots stay in order in one partition. Thread-safe.
 */
public final class SnapshotSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSender.class);
    private static final long LOG_EVERY_MS = 60_000;
    private static final MetricSnapshot POISON =
            new MetricSnapshot(0, "", JobRef.of("", ""), Scope.job(), Map.of(), null);

    private final String topic;
    private final BlockingQueue<MetricSnapshot> buffer;
    private final Producer<byte[], byte[]> producer;
    private final Thread sender;
    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong droppedBufferFull = new AtomicLong();
    private final AtomicLong droppedSendFailed = new AtomicLong();
    private volatile boolean closed;
    private long lastDropLogAt;
    private long droppedAtLastLog;

    private SnapshotSender(PublisherSettings settings, Producer<byte[], byte[]> producer) {
        this.topic = settings.topic();
        this.buffer = new ArrayBlockingQueue<>(settings.bufferCapacity());
        this.producer = producer;
        this.sender = new Thread(this::sendLoop, "flinkwatch-snapshot-sender");
        this.sender.setDaemon(true);
    }

    /**
     * Starts a sender. Kafka need not be reachable: snapshots wait in the buffer (or are dropped)
     * until it is.
     */
    public static SnapshotSender start(PublisherSettings settings) {
        SnapshotSender sender = new SnapshotSender(settings, new KafkaProducer<>(producerProperties(settings)));
        sender.sender.start();
        LOG.info("Publishing snapshots to topic {} at {} (buffer of {} snapshots)",
                settings.topic(), settings.bootstrapServers(), settings.bufferCapacity());
        return sender;
    }

    static Properties producerProperties(PublisherSettings settings) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "50");
        // send() blocks while metadata is missing (Kafka down): only the sender thread waits, and
        // not for long, so the buffer keeps draining into drops instead of filling up silently.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(16L * 1024 * 1024));
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "5000");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "flinkwatch-publisher");
        config.putAll(settings.producerOverrides());
        Properties properties = new Properties();
        properties.putAll(config);
        return properties;
    }

    /**
     * Queues a snapshot for sending; never blocks.
     *
     * @return false if the buffer was full and the snapshot was dropped
     */
    public boolean offer(MetricSnapshot snapshot) {
        if (closed) {
            droppedSendFailed.incrementAndGet();
            return false;
        }
        offered.incrementAndGet();
        if (buffer.offer(snapshot)) {
            return true;
        }
        droppedBufferFull.incrementAndGet();
        return false;
    }

    /** Snapshots Kafka acknowledged. */
    public long sentCount() {
        return sent.get();
    }

    /** Snapshots dropped so far: buffer full, or Kafka did not take or acknowledge them in time. */
    public long droppedCount() {
        return droppedBufferFull.get() + droppedSendFailed.get();
    }

    /** Snapshots waiting in the buffer. */
    public int buffered() {
        return buffer.size();
    }

    private void sendLoop() {
        try {
            while (true) {
                MetricSnapshot snapshot = buffer.poll(1, TimeUnit.SECONDS);
                if (snapshot == POISON) {
                    return;
                }
                if (snapshot != null) {
                    send(snapshot);
                }
                logDrops();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(MetricSnapshot snapshot) {
        byte[] key = (snapshot.cluster() + "/" + snapshot.job().name()).getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(
                    new ProducerRecord<>(topic, key, SnapshotWriter.toJson(snapshot)),
                    (metadata, error) -> {
                        if (error == null) {
                            sent.incrementAndGet();
                        } else {
                            droppedSendFailed.incrementAndGet();
                        }
                    });
        } catch (RuntimeException e) {
            // Metadata not available within max.block.ms (Kafka down), or the producer was closed.
            droppedSendFailed.incrementAndGet();
        }
    }

    private void logDrops() {
        long now = System.currentTimeMillis();
        if (now - lastDropLogAt < LOG_EVERY_MS) {
            return;
        }
        long dropped = droppedCount();
        if (dropped > droppedAtLastLog) {
            LOG.warn(
                    "Dropped {} metric snapshots ({} in total: {} with the buffer full, {} not taken or"
                            + " acknowledged by Kafka for topic {}); the monitored job is not affected",
                    dropped - droppedAtLastLog,
                    dropped,
                    droppedBufferFull.get(),
                    droppedSendFailed.get(),
                    topic);
            droppedAtLastLog = dropped;
        }
        lastDropLogAt = now;
    }

    /** Stops sending: waits briefly for queued snapshots, then closes the producer. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            // The poison pill may not fit in a full buffer; then the sender is interrupted below.
            if (buffer.offer(POISON, Math.max(1, timeout.toMillis() / 2), TimeUnit.MILLISECONDS)) {
                sender.join(Math.max(1, timeout.toMillis() / 2));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.interrupt();
        producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        droppedSendFailed.addAndGet(buffer.size());
        buffer.clear();
        LOG.info("Snapshot publisher closed: {} sent, {} dropped", sentCount(), droppedCount());
    }
}
