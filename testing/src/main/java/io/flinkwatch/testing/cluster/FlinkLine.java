package io.flinkwatch.testing.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Flink release line that the real-cluster tests start as the <em>monitored</em> cluster: where
 * its distribution (classpath and plugins) and the sample job built for it are, and how it reads
 * its configuration. The paths come from system properties that the build sets (see {@code
 * testing/pom.xml}).
 */
public enum FlinkLine {
    /** Flink 2.2: module {@code testing/flink-dist}, the sample job of module {@code testing}. */
    FLINK_2_2("2.2", "flinkwatch.flink.dist", "flinkwatch.sample.jar", false),

    /**
     * Flink 1.20: module {@code testing/flink-dist-1.20}, the same sample job compiled against 1.20
     * by {@code testing/sample-job-1.20}. Configured with a legacy {@code flink-conf.yaml}, which
     * 1.20 still prefers when it exists (and 2.x no longer reads).
     */
    FLINK_1_20("1.20", "flinkwatch.flink120.dist", "flinkwatch.sample120.jar", true);

    private final String version;
    private final String distProperty;
    private final String sampleJarProperty;
    private final boolean legacyConfigFile;

    FlinkLine(
            String version,
            String distProperty,
            String sampleJarProperty,
            boolean legacyConfigFile) {
        this.version = version;
        this.distProperty = distProperty;
        this.sampleJarProperty = sampleJarProperty;
        this.legacyConfigFile = legacyConfigFile;
    }

    /** The line, e.g. {@code 1.20}. */
    public String version() {
        return version;
    }

    /** A name fit for topics, groups and cluster labels, e.g. {@code flink-1-20}. */
    public String slug() {
        return "flink-" + version.replace('.', '-');
    }

    /** The directory with {@code flink-classpath.txt} and {@code plugins/}. */
    public Path dist() {
        return existing(distProperty);
    }

    /** The sample job's jar, built for this line. */
    public Path sampleJar() {
        return existing(sampleJarProperty);
    }

    /** A standalone cluster of this line, configured the way this line reads configuration. */
    public StandaloneCluster.Builder cluster() {
        return StandaloneCluster.builder(dist()).legacyConfigFile(legacyConfigFile);
    }

    /**
     * A cluster of this line that publishes its metrics as a watched fleet's would: the Flinkwatch
     * reporter plugin (from {@code flinkwatch.reporter.jar}) sending to {@code topic} every {@code
     * reporterInterval}, job details from its own REST API, and Flink's Prometheus reporter on one
     * port per process. Four task slots (sample jobs and, on 2.2, Flinkwatch jobs beside them).
     */
    public StandaloneCluster.Builder clusterWithPublishers(
            String clusterName,
            String bootstrapServers,
            String topic,
            String reporterInterval,
            int jobManagerPrometheusPort,
            int taskManagerPrometheusPort) {
        StandaloneCluster.Builder builder =
                cluster()
                        .plugin(
                                "flinkwatch",
                                Path.of(System.getProperty("flinkwatch.reporter.jar")))
                        .config("taskmanager.numberOfTaskSlots", "4")
                        .config("taskmanager.memory.process.size", "1600m")
                        // The reporter, as a user would configure it: a few lines of config.
                        .config(
                                "metrics.reporter.flinkwatch.factory.class",
                                "io.flinkwatch.ingest.reporter.FlinkwatchReporterFactory")
                        .config("metrics.reporter.flinkwatch.interval", reporterInterval)
                        .config("metrics.reporter.flinkwatch.bootstrap-servers", bootstrapServers)
                        .config("metrics.reporter.flinkwatch.topic", topic)
                        .config("metrics.reporter.flinkwatch.cluster", clusterName)
                        // Flink's own Prometheus reporter (plugins/metrics-prometheus).
                        .config(
                                "metrics.reporter.prom.factory.class",
                                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                        .jobManagerConfig(
                                "metrics.reporter.prom.port",
                                Integer.toString(jobManagerPrometheusPort))
                        .taskManagerConfig(
                                "metrics.reporter.prom.port",
                                Integer.toString(taskManagerPrometheusPort));
        return builder.config("metrics.reporter.flinkwatch.rest-url", builder.restUrl().toString());
    }

    private static Path existing(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.exists(Path.of(value))) {
            throw new IllegalStateException(
                    "system property "
                            + property
                            + " must name a built file or directory (set by testing/pom.xml), is "
                            + value);
        }
        return Path.of(value);
    }

    @Override
    public String toString() {
        return "Flink " + version;
    }
}
