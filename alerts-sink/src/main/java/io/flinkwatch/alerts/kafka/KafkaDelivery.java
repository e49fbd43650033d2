package io.flinkwatch.alerts.kafka;

import java.io.Serializable;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;

/**
 * How the job writes to Kafka: the brokers, the delivery guarantee and, for exactly-once, the
 * transactional id prefix. One place builds every Kafka sink of the job, so they agree.
 * Exactly-once sinks pool their transactional ids ({@link TransactionNamingStrategy#POOLING}): the
 * brokers see a few ids per subtask for the life of the deployment.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param guarantee exactly-once (transactions committed on checkpoints) or at-least-once
 * @param transactionalIdPrefix prefix of the producers' transactional ids; must be unique per
 *     Flinkwatch deployment on a Kafka cluster
 * @param transactionTimeout producer transaction timeout; at most the broker's {@code
 *     transaction.max.timeout.ms} (15 minutes by default)
 * @param producerProperties further producer properties (security, for example)
 */
public record KafkaDelivery(
        String bootstrapServers,
        DeliveryGuarantee guarantee,
        String transactionalIdPrefix,
        Duration transactionTimeout,
        Properties producerProperties)
        implements Serializable {

    /** Builds a sink; {@code name} keeps transactional ids of several sinks apart. */
    public <T> KafkaSink<T> sink(KafkaRecordSerializationSchema<T> serializer, String name) {
        Properties properties = new Properties();
        properties.putAll(producerProperties);
        properties.setProperty(
                "transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(properties)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-" + name)
                // A small pool of ids per subtask, reused across checkpoints and restarts, rather
                // than a new id per checkpoint that brokers keep for days.
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .setRecordSerializer(serializer)
                .build();
    }
}
