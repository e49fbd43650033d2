package io.flinkwatch.testing.alertmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkwatch.testing.LocalProcesses;
import io.flinkwatch.testing.kafka.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Alertmanager (Debian package {@code prometheus-alertmanager}) running as a child process
 * on a free loopback port, with its own temporary storage and clustering off. For tests.
 *
 * <p>The binary is {@code /usr/bin/prometheus-alertmanager}, or the one named by the system
 * property {@value #BINARY_PROPERTY}.
 */
public final class LocalAlertmanager implements AutoCloseable {

    public static final String BINARY_PROPERTY = "flinkwatch.alertmanager.binary";

    private static final Logger LOG = LoggerFactory.getLogger(LocalAlertmanager.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG =
            "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n";

    private final Process process;
    private final Path directory;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private LocalAlertmanager(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /** Starts an Alertmanager on a free port and waits until it is ready. */
    public static LocalAlertmanager start() throws IOException, InterruptedException {
        return start(FreePorts.next());
    }

    /**
     * Starts an Alertmanager on {@code port} (of the loopback interface) and waits until it is
     * ready.
     */
    public static LocalAlertmanager start(int port) throws IOException, InterruptedException {
        Path binary = binary();
        Path directory = Files.createTempDirectory("alertmanager-");
        Files.writeString(directory.resolve("alertmanager.yml"), CONFIG);
        Process process =
                new ProcessBuilder(
                                binary.toString(),
                                "--config.file=" + directory.resolve("alertmanager.yml"),
                                "--storage.path=" + directory.resolve("data"),
                                "--web.listen-address=127.0.0.1:" + port,
                                "--cluster.listen-address=",
                                "--log.level=warn")
                        .redirectErrorStream(true)
                        .redirectOutput(directory.resolve("alertmanager.log").toFile())
                        .start();
        LocalAlertmanager alertmanager = new LocalAlertmanager(process, directory, port);
        alertmanager.awaitReady();
        LOG.info("Alertmanager {} listening on {}", binary, alertmanager.url());
        return alertmanager;
    }

    private static Path binary() {
        String configured = System.getProperty(BINARY_PROPERTY);
        Path binary = Path.of(configured != null ? configured : "/usr/bin/prometheus-alertmanager");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(
                    "No Alertmanager at "
                            + binary
                            + ": install the Debian package prometheus-alertmanager (apt-get install"
                            + " prometheus-alertmanager; .ci/run does) or set -D"
                            + BINARY_PROPERTY
                            + " to an alertmanager binary.");
        }
        return binary;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = Files.readString(directory.resolve("alertmanager.log"));
                close();
                throw new IOException(
                        "Alertmanager exited with " + process.exitValue() + ": " + log);
            }
            try {
                HttpResponse<Void> ready =
                        http.send(
                                request("/-/ready").build(),
                                HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        close();
        throw new IOException("Alertmanager did not become ready on port " + port + " within 30 s");
    }

    /** Base URL, e.g. {@code http://127.0.0.1:9093}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The active alerts ({@code GET /api/v2/alerts}): Alertmanager lists no resolved ones. */
    public List<JsonNode> alerts() throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(request("/api/v2/alerts").build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET /api/v2/alerts answered "
                            + response.statusCode()
                            + ": "
                            + response.body());
        }
        List<JsonNode> alerts = new ArrayList<>();
        JSON.readTree(response.body()).forEach(alerts::add);
        return alerts;
    }

    /**
     * Polls {@link #alerts()} until {@code condition} holds for them, or fails after {@code
     * timeout}.
     */
    public List<JsonNode> awaitAlerts(
            java.util.function.Predicate<List<JsonNode>> condition, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> alerts = alerts();
        while (!condition.test(alerts)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "Alertmanager's alerts did not reach the expected state within "
                                + timeout
                                + ": "
                                + alerts);
            }
            Thread.sleep(100);
            alerts = alerts();
        }
        return alerts;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        LocalProcesses.stop(process, Duration.ofSeconds(10));
        LocalProcesses.deleteRecursively(directory);
    }
}
