package io.flinkwatch.ingest.kafka;

import io.flinkwatch.ingest.Secrets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to Kafka once before the job is built, with the job's own client settings. Wrong
 * credentials, an untrusted certificate, settings Kafka rejects or a topic the job may not use then
 * stop the job at once with the cause, rather than a Flink restart loop whose cause only the
 * TaskManagers' logs show. A Kafka that does not answer in time is only warned about: the job
 * starts, and its source keeps trying, as before.
 */
public final class KafkaPreflight {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPreflight.class);

    private KafkaPreflight() {}

    /** Kafka refused the job's settings or credentials; the message says why and what to check. */
    public static final class KafkaConnectionException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        KafkaConnectionException(String message) {
            super(message);
        }
    }

    /**
     * Describes {@code topics} at {@code bootstrapServers}.
     *
     * @throws KafkaConnectionException when Kafka refuses the settings, the credentials, the
     *     certificate or access to a topic
     */
    public static void check(
            String bootstrapServers,
            Properties clientSettings,
            List<String> topics,
            Duration timeout) {
        Properties properties = new Properties();
        properties.putAll(clientSettings);
        properties.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "flinkwatch-preflight");
        String millis = Long.toString(timeout.toMillis());
        properties.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        properties.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        String where = "Kafka at " + bootstrapServers;
        Admin admin;
        try {
            admin = Admin.create(properties);
        } catch (KafkaException e) {
            throw new KafkaConnectionException(
                    "Cannot create a Kafka client for "
                            + where
                            + " with the Kafka client settings given: "
                            + causes(e));
        }
        try {
            admin.describeTopics(topics)
                    .allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("{} answered; topics {} are there", where, topics);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SslAuthenticationException) {
                throw new KafkaConnectionException(
                        "TLS handshake with "
                                + where
                                + " failed: "
                                + causes(cause)
                                + ". Check that ssl.truststore.* trusts the CA that signed the"
                                + " broker's certificate, and that the certificate names the host.");
            }
            if (cause instanceof AuthenticationException) {
                throw new KafkaConnectionException(
                        where
                                + " refused the credentials: "
                                + causes(cause)
                                + ". Check sasl.mechanism and sasl.jaas.config (user and"
                                + " password).");
            }
            if (cause instanceof AuthorizationException) {
                throw new KafkaConnectionException(
                        where
                                + " denied access to topics "
                                + topics
                                + ": "
                                + causes(cause)
                                + ". Grant the job's principal DESCRIBE and READ on the metrics"
                                + " topics and its consumer group, DESCRIBE and WRITE on the"
                                + " alerts and dead-letter topics, and transactional access"
                                + " under exactly-once.");
            }
            if (cause instanceof UnknownTopicOrPartitionException) {
                LOG.warn(
                        "{} answered, but not all of the topics {} exist ({}); the job starts"
                                + " anyway",
                        where,
                        topics,
                        causes(cause));
                return;
            }
            LOG.warn("{} could not be checked ({}); the job starts anyway", where, causes(cause));
        } catch (TimeoutException e) {
            LOG.warn(
                    "{} did not answer within {}; the job starts anyway and its Kafka clients keep"
                            + " trying",
                    where,
                    timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
    }

    /** The chain of causes' messages, URLs without credentials. */
    static String causes(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (text.length() > 0) {
                text.append(" <- ");
            }
            text.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                text.append(": ").append(Secrets.redactUrls(t.getMessage()));
            }
        }
        return text.toString();
    }
}
