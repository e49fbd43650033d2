package io.flinkwatch.testing.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.junit.jupiter.api.Test;

/**
 * The shaded jars users install, as they are run: the reporter plugin in a class loader of its own
 * that sees only what Flink gives a plugin (its metrics API and SLF4J), and the publishers jar with
 * {@code java -jar}. A class that a jar lacks fails here, not in a user's cluster.
 */
class PublisherJarsITCase {

    private static final Path PLUGIN = Path.of(System.getProperty("flinkwatch.reporter.jar"));
    private static final Path PUBLISHERS =
            Path.of(
                    System.getProperty("flinkwatch.reporter.jar")
                            .replace("-reporter-plugin.jar", "-publishers.jar"));

    @Test
    void theReporterPluginOpensWithKafkaSettingsFromItsOwnJarAlone() throws Exception {
        try (URLClassLoader plugin =
                new URLClassLoader(new URL[] {PLUGIN.toUri().toURL()}, flinkApiOnly())) {
            MetricReporterFactory factory =
                    ServiceLoader.load(MetricReporterFactory.class, plugin).iterator().next();
            assertThat(factory.getClass().getClassLoader()).isSameAs(plugin);
            MetricReporter reporter = factory.createMetricReporter(new Properties());
            MetricConfig config = new MetricConfig();
            config.setProperty("bootstrap-servers", "127.0.0.1:9");
            config.setProperty("cluster", "packaging");
            config.setProperty("rest-url", "");
            config.setProperty("kafka.properties.security.protocol", "PLAINTEXT");
            reporter.open(config);
            reporter.close();

            MetricConfig refused = new MetricConfig();
            refused.setProperty("bootstrap-servers", "127.0.0.1:9");
            refused.setProperty("cluster", "packaging");
            refused.setProperty("kafka.properties.bootstrap.servers", "elsewhere:9092");
            assertThatThrownBy(() -> factory.createMetricReporter(new Properties()).open(refused))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("kafka.properties.bootstrap.servers is refused");
        }
    }

    @Test
    void thePublishersJarReadsKafkaSettings() throws Exception {
        for (List<String> command :
                List.of(
                        List.of("lag-poller", "--groups", "g"),
                        List.of("prometheus-bridge", "--targets", "http://127.0.0.1:9/metrics"))) {
            List<String> args = new ArrayList<>();
            args.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            args.addAll(List.of("-jar", PUBLISHERS.toString()));
            args.addAll(command);
            args.addAll(
                    List.of(
                            "--cluster", "packaging",
                            "--bootstrap-servers", "127.0.0.1:9",
                            "--kafka.properties.bootstrap.servers", "elsewhere:9092"));
            Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(output)
                    .as(String.join(" ", command))
                    .contains("--kafka.properties.bootstrap.servers is refused")
                    .doesNotContain("NoClassDefFoundError");
            assertThat(process.exitValue()).isEqualTo(2);
        }
    }

    /**
     * A parent class loader with only what Flink shares with a plugin (its metrics API, SLF4J and
     * logging, as Flink's plugin class loader does): anything else must come from the plugin jar.
     */
    private static ClassLoader flinkApiOnly() {
        ClassLoader app = PublisherJarsITCase.class.getClassLoader();
        return new ClassLoader(ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve)
                    throws ClassNotFoundException {
                if (name.startsWith("org.apache.flink.metrics.")
                        || name.startsWith("org.apache.flink.annotation.")
                        || name.startsWith("org.slf4j.")
                        || name.startsWith("org.apache.logging.")) {
                    return app.loadClass(name);
                }
                return super.loadClass(name, resolve);
            }
        };
    }
}
