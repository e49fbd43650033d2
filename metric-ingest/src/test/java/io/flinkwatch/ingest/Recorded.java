package io.flinkwatch.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What a real Flink cluster answered, recorded for tests under {@code
 * src/test/resources/recorded/}: {@code flink-1.20.5/} holds a standalone Flink 1.20.5 cluster's
 * REST answers, Prometheus scrapes (trimmed to the metrics Flinkwatch reads) and the Flinkwatch
 * reporter's snapshots (with {@code include: all}), taken while the sample job ran with a throttled
 * sink (testing module's {@code RealClusterITCase} setup).
 */
public final class Recorded {

    /** The recorded 1.20 sample job and its vertices. */
    public static final String JOB_1_20 = "7725a1940af53c2d715389afe5f7d19e";

    public static final String SOURCE_1_20 = "45b0254a46cabbc3efeea5d2e170ea5b";
    public static final String ENRICH_1_20 = "9c32e3838cee893dbb2fc90ccad79598";
    public static final String WAREHOUSE_1_20 = "84056c789f362264ef8014c0798d0868";

    private Recorded() {}

    /** A recorded file, e.g. {@code flink-1.20.5/jobs-jid.json}. */
    public static String text(String name) {
        try (InputStream in = Recorded.class.getResourceAsStream("/recorded/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no recorded file " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
