package io.flinkwatch.testing.sample;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Input for the sample job: {@code customer,amount} records written to a topic at a steady rate by
 * a thread of its own, until closed. Counts what the broker acknowledged.
 */
public final class OrderGenerator implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int perSecond;
    private final Thread thread;
    private final AtomicLong acknowledged = new AtomicLong();
    private volatile boolean running = true;

    private OrderGenerator(KafkaProducer<byte[], byte[]> producer, String topic, int perSecond) {
        this.producer = producer;
        this.topic = topic;
        this.perSecond = perSecond;
        this.thread = new Thread(this::generate, "order-generator");
        this.thread.setDaemon(true);
    }

    /**
     * Starts writing {@code perSecond} records a second to {@code topic}; takes over the producer.
     */
    public static OrderGenerator start(
            KafkaProducer<byte[], byte[]> producer, String topic, int perSecond) {
        OrderGenerator generator = new OrderGenerator(producer, topic, perSecond);
        generator.thread.start();
        return generator;
    }

    /** Records the broker acknowledged so far. */
    public long acknowledged() {
        return acknowledged.get();
    }

    private void generate() {
        long start = System.nanoTime();
        long sent = 0;
        while (running) {
            long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L;
            while (sent < due && running) {
                byte[] value =
                        ("customer-" + (sent % 97) + "," + (sent % 1000) / 10.0)
                                .getBytes(StandardCharsets.UTF_8);
                producer.send(
                        new ProducerRecord<>(topic, value),
                        (metadata, error) -> {
                            if (error == null) {
                                acknowledged.incrementAndGet();
                            }
                        });
                sent++;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
        producer.close();
    }
}
