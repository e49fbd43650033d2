package io.flinkwatch.testing;

import io.flinkwatch.testing.kafka.EmbeddedKafka;

/**
 * One real Kafka broker for all tests of a test JVM: started on first use, stopped (and its data
 * deleted) when the JVM exits. Tests use their own topic names, so they do not see each other.
 */
public final class SharedKafka {

    private static EmbeddedKafka broker;

    private SharedKafka() {}

    public static synchronized EmbeddedKafka broker() {
        if (broker == null) {
            try {
                broker = EmbeddedKafka.start();
            } catch (Exception e) {
                throw new IllegalStateException("could not start the test Kafka broker", e);
            }
            EmbeddedKafka started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-test-kafka"));
        }
        return broker;
    }
}
