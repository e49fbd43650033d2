package io.flinkwatch.alerts.alertmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Fingerprint;
import io.flinkwatch.alerts.event.Severity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A local HTTP server on a free loopback port in place of Alertmanager's {@code POST
 * /api/v2/alerts}: it answers each request as the test says, and records what it received.
 */
final class StubAlertmanager implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STARTS = 1_767_571_920_000L;

    /** A request as the server received it. */
    record Received(long at, List<JsonNode> alerts) {

        List<String> jobs() {
            return alerts.stream()
                    .map(alert -> alert.get("labels").path("job_name").asText())
                    .toList();
        }
    }

    /** An answer: status, headers, body. */
    record Answer(int status, Map<String, String> headers, String body) {

        static final Answer OK = new Answer(200, Map.of(), "");

        static Answer of(int status, String body) {
            return new Answer(status, Map.of(), body);
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();

    /** The jobs of the alerts in requests that were answered 2xx. */
    final List<String> accepted = new CopyOnWriteArrayList<>();

    private final HttpServer server;

    private StubAlertmanager(HttpServer server) {
        this.server = server;
    }

    /** A server that answers every request 200. */
    static StubAlertmanager accepting() throws IOException {
        return answering(request -> Answer.OK);
    }

    static StubAlertmanager answering(Function<Received, Answer> answers) throws IOException {
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        StubAlertmanager stub = new StubAlertmanager(server);
        server.createContext(
                "/api/v2/alerts",
                exchange -> {
                    long at = System.currentTimeMillis();
                    List<JsonNode> alerts = new ArrayList<>();
                    JSON.readTree(exchange.getRequestBody().readAllBytes()).forEach(alerts::add);
                    Received request = new Received(at, alerts);
                    stub.received.add(request);
                    Answer answer = answers.apply(request);
                    if (answer.status() / 100 == 2) {
                        stub.accepted.addAll(request.jobs());
                    }
                    answer.headers().forEach(exchange.getResponseHeaders()::add);
                    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(
                            answer.status(), body.length == 0 ? -1 : body.length);
                    if (body.length > 0) {
                        exchange.getResponseBody().write(body);
                    }
                    exchange.close();
                });
        server.start();
        return stub;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every alert received, in every request. */
    List<JsonNode> alerts() {
        return received.stream().flatMap(request -> request.alerts().stream()).toList();
    }

    static void await(BooleanSupplier condition) {
        long until = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError("not reached within 30 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted", e));
            }
        }
    }

    /** {@code count} firing alerts of one rule, for jobs {@code job-1} to {@code job-<count>}. */
    static List<AlertEvent> firing(int count, String alertname) {
        List<AlertEvent> alerts = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Map<String, String> labels =
                    Map.of(
                            "alertname",
                            alertname,
                            "severity",
                            "critical",
                            "cluster",
                            "prod",
                            "job_name",
                            "job-" + i);
            alerts.add(
                    new AlertEvent(
                            alertname,
                            Severity.CRITICAL,
                            AlertStatus.FIRING,
                            labels,
                            Map.of("summary", alertname + " of job-" + i),
                            STARTS,
                            null,
                            Fingerprint.of(labels),
                            "g",
                            Evidence.none(),
                            AlertReason.STARTED,
                            STARTS,
                            List.of()));
        }
        return alerts;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
