package io.flinkwatch.testing.alertmanager;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.flinkwatch.testing.kafka.FreePorts;
import io.flinkwatch.testing.tls.TestCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An HTTPS reverse proxy on a free loopback port that lets a request through to a {@link
 * LocalAlertmanager} only with {@code Authorization: Bearer <token>}, and answers 401 otherwise.
 *
 * <p>Alertmanager's web configuration has no bearer tokens: deployments that use them put
 * Alertmanager behind such a proxy (an OAuth or RBAC proxy). So an alert that reaches the real
 * Alertmanager through it proves the header was sent, with the right token. For tests.
 */
public final class BearerTokenProxy implements AutoCloseable {

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final HttpClient upstream = HttpClient.newHttpClient();
    private final URI alertmanager;
    private final AtomicInteger authorized = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile String token;

    private BearerTokenProxy(HttpsServer server, URI alertmanager, String token) {
        this.server = server;
        this.alertmanager = alertmanager;
        this.token = token;
    }

    /**
     * Starts a proxy to {@code alertmanager} (plain HTTP) whose own certificate is signed by {@code
     * authority}, accepting {@code token} only.
     */
    public static BearerTokenProxy start(
            LocalAlertmanager alertmanager, TestCertificates authority, String token)
            throws IOException {
        HttpsServer server =
                HttpsServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
        server.setHttpsConfigurator(
                new HttpsConfigurator(serverContext(authority.serverCertificate("proxy"))));
        BearerTokenProxy proxy =
                new BearerTokenProxy(server, URI.create(alertmanager.url()), token);
        server.createContext("/", proxy::handle);
        server.setExecutor(proxy.executor);
        server.start();
        return proxy;
    }

    /** Base URL, {@code https://127.0.0.1:<port>}. */
    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on, only this token is accepted (a rotation on the server side). */
    public void acceptOnly(String newToken) {
        this.token = newToken;
    }

    /** Requests let through with the right token. */
    public int authorized() {
        return authorized.get();
    }

    /** Requests refused with 401. */
    public int refused() {
        return refused.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!("Bearer " + token)
                    .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                refused.incrementAndGet();
                respond(exchange, 401, "Unauthorized\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            authorized.incrementAndGet();
            HttpRequest.Builder forward =
                    HttpRequest.newBuilder(
                                    alertmanager.resolve(exchange.getRequestURI().toString()))
                            .timeout(Duration.ofSeconds(10))
                            .method(
                                    exchange.getRequestMethod(),
                                    HttpRequest.BodyPublishers.ofByteArray(body));
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (contentType != null) {
                forward.header("Content-Type", contentType);
            }
            HttpResponse<byte[]> response =
                    upstream.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            respond(exchange, response.statusCode(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static SSLContext serverContext(TestCertificates.ServerCertificate certificate) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = "proxy".toCharArray();
            keys.setKeyEntry(
                    "server",
                    certificate.keys().getPrivate(),
                    password,
                    new Certificate[] {certificate.certificate(), certificate.issuer()});
            KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
            factory.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the proxy's TLS context", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
