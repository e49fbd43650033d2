package io.flinkwatch.ingest.publish;

import io.flinkwatch.ingest.Secrets;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
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
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends snapshots to the metrics topic without ever making the caller wait.
 *
 * <p>Publishers run next to the jobs they observe (the metric reporter runs inside Flink's own
 * processes), so Kafka being slow, down or not even resolvable must cost them nothing: {@link
 * #offer} only puts the snapshot into a bounded buffer; a daemon thread creates the Kafka producer
 * (retrying until it can), serializes and sends. A snapshot is dropped and counted when the buffer
 * is full, when it waited longer than the maximum age, or when Kafka does not take it in time;
 * drops are logged at most once a minute. Records are keyed by cluster and job name so that one
 * job's snapshots stay in order in one partition. Thread-safe.
 */
public final class SnapshotSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSender.class);
    private static final long PRODUCER_RETRY_MS = 5_000;

    private final String topic;
    private final long maxAgeNanos;
    private final BlockingQueue<Queued> buffer;
    private final Supplier<Producer<byte[], byte[]>> producers;
    private final Thread sender;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong droppedBufferFull = new AtomicLong();
    private final AtomicLong droppedStale = new AtomicLong();
    private final AtomicLong droppedSendFailed = new AtomicLong();
    private volatile boolean closed;

    /** Why Kafka last did not take or acknowledge a snapshot, for the drop log. */
    @Nullable private volatile Throwable lastSendError;

    @Nullable private volatile Producer<byte[], byte[]> producer;
    private final LogLimiter dropLog = new LogLimiter();
    private final LogLimiter producerFailureLog = new LogLimiter();
    private long droppedAtLastLog;

    private record Queued(MetricSnapshot snapshot, long queuedAtNanos) {}

    /** Asks the sender thread to stop once everything queued before it is sent. */
    private static final Queued POISON = new Queued(null, 0);

    private SnapshotSender(
            PublisherSettings settings, Supplier<Producer<byte[], byte[]>> producers) {
        this.topic = settings.topic();
        this.maxAgeNanos = settings.maxAge().toNanos();
        this.buffer = new ArrayBlockingQueue<>(settings.bufferCapacity());
        this.producers = producers;
        this.sender = new Thread(this::sendLoop, "flinkwatch-snapshot-sender");
        this.sender.setDaemon(true);
        // Kafka loads its plugins (partitioners, compression) through the context class loader; in
        // a
        // Flink plugin that must be the plugin's own loader, not the one of the calling thread.
        this.sender.setContextClassLoader(SnapshotSender.class.getClassLoader());
    }

    /**
     * Starts a sender. Kafka need not be reachable, nor its address resolvable: snapshots wait in
     * the buffer (or are dropped) until it is.
     */
    public static SnapshotSender start(PublisherSettings settings) {
        Properties properties = producerProperties(settings);
        return start(
                settings,
                () ->
                        new KafkaProducer<>(
                                properties, new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /** Starts a sender whose producer comes from {@code producers} (called until it succeeds). */
    static SnapshotSender start(
            PublisherSettings settings, Supplier<Producer<byte[], byte[]>> producers) {
        SnapshotSender sender = new SnapshotSender(settings, producers);
        sender.sender.start();
        LOG.info(
                "Publishing snapshots to topic {} at {} (buffer of {} snapshots)",
                settings.topic(),
                settings.bootstrapServers(),
                settings.bufferCapacity());
        return sender;
    }

    static Properties producerProperties(PublisherSettings settings) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
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
        Properties properties = new Properties();
        properties.putAll(config);
        properties.putAll(settings.kafka().properties());
        return properties;
    }

    /**
     * Queues a snapshot for sending; never blocks.
     *
     * @return false if the buffer was full (or the sender closed) and the snapshot was dropped
     */
    public boolean offer(MetricSnapshot snapshot) {
        if (closed) {
            droppedSendFailed.incrementAndGet();
            return false;
        }
        if (buffer.offer(new Queued(snapshot, System.nanoTime()))) {
            return true;
        }
        droppedBufferFull.incrementAndGet();
        return false;
    }

    /** Snapshots Kafka acknowledged. */
    public long sentCount() {
        return sent.get();
    }

    /**
     * Snapshots dropped so far: buffer full, waited too long, or Kafka did not take or acknowledge
     * them in time.
     */
    public long droppedCount() {
        return droppedBufferFull.get() + droppedStale.get() + droppedSendFailed.get();
    }

    /** Snapshots waiting in the buffer. */
    public int buffered() {
        return buffer.size();
    }

    private void sendLoop() {
        try {
            while (true) {
                if (producer == null && !createProducer()) {
                    dropStale();
                    logDrops();
                    pause(PRODUCER_RETRY_MS);
                    continue;
                }
                Queued queued = buffer.poll(1, TimeUnit.SECONDS);
                if (queued == POISON) {
                    return;
                }
                if (queued != null) {
                    if (System.nanoTime() - queued.queuedAtNanos() > maxAgeNanos) {
                        droppedStale.incrementAndGet();
                    } else {
                        send(queued.snapshot());
                    }
                }
                logDrops();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean createProducer() {
        try {
            producer = producers.get();
            LOG.info("Kafka producer for topic {} created", topic);
            return true;
        } catch (RuntimeException e) {
            // E.g. no resolvable bootstrap address yet (DNS of a service that is not up).
            if (producerFailureLog.permits()) {
                LOG.warn(
                        "Cannot create the Kafka producer for topic {} ({}); retrying every {} s while"
                                + " snapshots are buffered or dropped; the monitored job is not affected",
                        topic,
                        e.toString(),
                        PRODUCER_RETRY_MS / 1000);
            }
            return false;
        }
    }

    private void dropStale() {
        long now = System.nanoTime();
        Queued head;
        while ((head = buffer.peek()) != null
                && head != POISON
                && now - head.queuedAtNanos() > maxAgeNanos) {
            if (buffer.remove(head)) {
                droppedStale.incrementAndGet();
            }
        }
    }

    private void pause(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!closed && System.currentTimeMillis() < deadline) {
            Thread.sleep(Math.min(200, millis));
        }
        if (closed) {
            // Without a producer there is nothing to flush: stop at once.
            throw new InterruptedException("closed");
        }
    }

    private void send(MetricSnapshot snapshot) {
        byte[] key =
                (snapshot.cluster() + "/" + snapshot.job().name()).getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(
                    new ProducerRecord<>(topic, key, SnapshotWriter.toJson(snapshot)),
                    (metadata, error) -> {
                        if (error == null) {
                            sent.incrementAndGet();
                        } else {
                            lastSendError = error;
                            droppedSendFailed.incrementAndGet();
                        }
                    });
        } catch (RuntimeException e) {
            // Metadata not available within max.block.ms (Kafka down, credentials refused), or
            // the producer was closed.
            lastSendError = e;
            droppedSendFailed.incrementAndGet();
        }
    }

    private void logDrops() {
        long dropped = droppedCount();
        // The first drop after a quiet minute is logged at once, later ones once a minute.
        if (dropped > droppedAtLastLog && dropLog.permits()) {
            Throwable error = lastSendError;
            String message =
                    "Dropped {} metric snapshots ({} in total: {} with the buffer full, {} older than"
                            + " the maximum age, {} not taken or acknowledged by Kafka for topic {}){};"
                            + " the monitored job is not affected";
            boolean refused = error instanceof AuthenticationException;
            Object[] arguments = {
                dropped - droppedAtLastLog,
                dropped,
                droppedBufferFull.get(),
                droppedStale.get(),
                droppedSendFailed.get(),
                topic,
                error == null
                        ? ""
                        : refused
                                ? "; Kafka refused the publisher's credentials or certificate ("
                                        + Secrets.redactUrls(error.toString())
                                        + "): check kafka.properties.* (sasl.jaas.config,"
                                        + " ssl.truststore.*)"
                                : "; last error: " + Secrets.redactUrls(error.toString())
            };
            if (refused) {
                // Not a passing outage: nothing gets through until the settings are fixed.
                LOG.error(message, arguments);
            } else {
                LOG.warn(message, arguments);
            }
            droppedAtLastLog = dropped;
        }
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
        Producer<byte[], byte[]> created = producer;
        if (created != null) {
            created.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        buffer.remove(POISON);
        droppedSendFailed.addAndGet(buffer.size());
        buffer.clear();
        LOG.info(
                "Snapshot publisher for topic {} closed: {} sent, {} dropped",
                topic,
                sentCount(),
                droppedCount());
    }
}
