package io.flinkwatch.testing.alertmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkwatch.testing.LocalProcesses;
import io.flinkwatch.testing.kafka.FreePorts;
import io.flinkwatch.testing.tls.TestCertificates;
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
 *
 * <p>With a {@link WebConfig} it serves HTTPS and/or requires basic auth, through Alertmanager's
 * own {@code --web.config.file} ({@code tls_server_config}, {@code basic_auth_users}); {@link
 * #alerts()} then uses TLS and the credentials itself.
 */
public final class LocalAlertmanager implements AutoCloseable {

    public static final String BINARY_PROPERTY = "flinkwatch.alertmanager.binary";

    private static final Logger LOG = LoggerFactory.getLogger(LocalAlertmanager.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG =
            "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n";

    /**
     * What Alertmanager's web configuration file says: TLS with a server certificate of {@code
     * authority}, and basic auth for one user. The plain password is kept for this class's own
     * requests; Alertmanager gets its bcrypt hash.
     *
     * @param authority the CA that signed {@code certificate}; null for plain HTTP
     * @param certificate the server certificate; null for plain HTTP
     * @param username the one basic auth user; null for no authentication
     * @param password that user's password
     */
    public record WebConfig(
            TestCertificates authority,
            TestCertificates.ServerCertificate certificate,
            String username,
            String password) {

        /** Plain HTTP, no authentication: what {@link #start()} runs. */
        public static final WebConfig NONE = new WebConfig(null, null, null, null);

        /** HTTPS with a certificate for the loopback addresses, signed by {@code authority}. */
        public static WebConfig tls(TestCertificates authority) {
            return new WebConfig(
                    authority, authority.serverCertificate("alertmanager"), null, null);
        }

        /** This configuration, requiring basic auth as {@code username}. */
        public WebConfig withBasicAuth(String username, String password) {
            return new WebConfig(authority, certificate, username, password);
        }

        boolean isTls() {
            return certificate != null;
        }

        boolean isEmpty() {
            return certificate == null && username == null;
        }

        String yaml() {
            StringBuilder yaml = new StringBuilder();
            if (certificate != null) {
                yaml.append("tls_server_config:\n")
                        .append("  cert_file: '")
                        .append(certificate.certificatePem())
                        .append("'\n  key_file: '")
                        .append(certificate.keyPem())
                        .append("'\n");
            }
            if (username != null) {
                yaml.append("basic_auth_users:\n  '")
                        .append(username)
                        .append("': '")
                        .append(TestCertificates.bcrypt(password))
                        .append("'\n");
            }
            return yaml.toString();
        }
    }

    private final Process process;
    private final Path directory;
    private final int port;
    private final WebConfig web;
    private final HttpClient http;

    private LocalAlertmanager(Process process, Path directory, int port, WebConfig web) {
        this.process = process;
        this.directory = directory;
        this.port = port;
        this.web = web;
        this.http =
                web.isTls()
                        ? HttpClient.newBuilder()
                                .sslContext(web.authority().clientContext())
                                .build()
                        : HttpClient.newHttpClient();
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
        return start(port, WebConfig.NONE);
    }

    /** Starts an Alertmanager with TLS and/or basic auth on a free port. */
    public static LocalAlertmanager start(WebConfig web) throws IOException, InterruptedException {
        return start(FreePorts.next(), web);
    }

    /**
     * Starts an Alertmanager with TLS and/or basic auth on {@code port} and waits until it is
     * ready.
     */
    public static LocalAlertmanager start(int port, WebConfig web)
            throws IOException, InterruptedException {
        Path binary = binary();
        Path directory = Files.createTempDirectory("alertmanager-");
        Files.writeString(directory.resolve("alertmanager.yml"), CONFIG);
        List<String> command =
                new ArrayList<>(
                        List.of(
                                binary.toString(),
                                "--config.file=" + directory.resolve("alertmanager.yml"),
                                "--storage.path=" + directory.resolve("data"),
                                "--web.listen-address=127.0.0.1:" + port,
                                "--cluster.listen-address=",
                                "--log.level=warn"));
        if (!web.isEmpty()) {
            Path webConfig = directory.resolve("web.yml");
            Files.writeString(webConfig, web.yaml());
            command.add("--web.config.file=" + webConfig);
        }
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(directory.resolve("alertmanager.log").toFile())
                        .start();
        LocalAlertmanager alertmanager = new LocalAlertmanager(process, directory, port, web);
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

    /** Base URL, e.g. {@code http://127.0.0.1:9093}, or {@code https://} with TLS. */
    public String url() {
        return (web.isTls() ? "https" : "http") + "://127.0.0.1:" + port;
    }

    /** The port it listens on (loopback). */
    public int port() {
        return port;
    }

    /** Alertmanager's own log (stdout and stderr). */
    public String log() throws IOException {
        return Files.readString(directory.resolve("alertmanager.log"));
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
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5));
        if (web.username() != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + java.util.Base64.getEncoder()
                                    .encodeToString(
                                            (web.username() + ":" + web.password())
                                                    .getBytes(
                                                            java.nio.charset.StandardCharsets
                                                                    .UTF_8)));
        }
        return request;
    }

    @Override
    public void close() {
        LocalProcesses.stop(process, Duration.ofSeconds(10));
        LocalProcesses.deleteRecursively(directory);
    }
}
