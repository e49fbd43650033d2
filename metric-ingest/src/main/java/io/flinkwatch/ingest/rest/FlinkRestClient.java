package io.flinkwatch.ingest.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkwatch.ingest.snapshot.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads job status, job graph and checkpoint interval from a JobManager's REST API ({@code
 * /jobs/{id}}, {@code /jobs/{id}/checkpoints/config}). Asynchronous, with a timeout on every call,
 * because publishers call it from threads that must not hang.
 */
public final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUrl;
    private final Duration timeout;
    private final HttpClient http;

    public FlinkRestClient(URI baseUrl, Duration timeout) {
        String base = baseUrl.toString();
        this.baseUrl = URI.create(base.endsWith("/") ? base : base + "/");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /**
     * The details of one job; fails with {@link IOException} (wrapped) if the JobManager does not
     * answer.
     */
    public CompletableFuture<JobDetails> jobAsync(String jobId) {
        CompletableFuture<JsonNode> job = getJson("jobs/" + jobId);
        // With checkpointing off, Flink answers this endpoint with an error: the interval is then
        // 0.
        CompletableFuture<Long> interval =
                getJson("jobs/" + jobId + "/checkpoints/config")
                        .thenApply(FlinkRestClient::checkpointInterval)
                        .exceptionally(error -> isNotFound(error) ? 0L : null);
        return job.thenCombine(interval, FlinkRestClient::jobDetails);
    }

    /** One job of {@code /jobs/overview}. */
    public record JobOverview(String id, String name, String state, long startTime) {}

    /** The jobs the JobManager knows, from {@code /jobs/overview}. */
    public CompletableFuture<List<JobOverview>> jobsAsync() {
        return getJson("jobs/overview")
                .thenApply(
                        overview -> {
                            List<JobOverview> jobs = new ArrayList<>();
                            for (JsonNode job : overview.path("jobs")) {
                                jobs.add(
                                        new JobOverview(
                                                job.path("jid").asText(),
                                                job.path("name").asText(),
                                                job.path("state").asText(),
                                                job.path("start-time").asLong()));
                            }
                            return jobs;
                        });
    }

    private CompletableFuture<JsonNode> getJson(String path) {
        HttpRequest request =
                HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(timeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(
                        response -> {
                            if (response.statusCode() == 404) {
                                throw new CompletionException(new NotFoundException(request.uri()));
                            }
                            if (response.statusCode() != 200) {
                                throw new CompletionException(
                                        new IOException(
                                                "HTTP "
                                                        + response.statusCode()
                                                        + " from "
                                                        + request.uri()));
                            }
                            try {
                                return JSON.readTree(response.body());
                            } catch (IOException e) {
                                throw new UncheckedIOException("not JSON from " + request.uri(), e);
                            }
                        });
    }

    private static boolean isNotFound(Throwable error) {
        Throwable cause =
                error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
        return cause instanceof NotFoundException;
    }

    /**
     * Reads {@code /jobs/{id}}: status from {@code state}, the graph from {@code plan.nodes} and
     * vertex names from {@code vertices}. The same shape in Flink 1.20 and 2.x.
     */
    public static JobDetails jobDetails(JsonNode job, Long checkpointIntervalMs) {
        Map<String, String> names = new HashMap<>();
        Map<String, Integer> parallelism = new HashMap<>();
        for (JsonNode vertex : job.path("vertices")) {
            names.put(vertex.path("id").asText(), vertex.path("name").asText());
            parallelism.put(vertex.path("id").asText(), vertex.path("parallelism").asInt(1));
        }
        List<Topology.Vertex> vertices = new ArrayList<>();
        for (JsonNode node : job.path("plan").path("nodes")) {
            String id = node.path("id").asText();
            List<String> inputs = new ArrayList<>();
            for (JsonNode input : node.path("inputs")) {
                inputs.add(input.path("id").asText());
            }
            vertices.add(
                    new Topology.Vertex(
                            id,
                            names.getOrDefault(id, node.path("description").asText(id)),
                            parallelism.getOrDefault(id, node.path("parallelism").asInt(1)),
                            List.copyOf(inputs)));
        }
        return new JobDetails(
                job.path("jid").asText(),
                job.path("name").asText(),
                job.path("state").asText("UNKNOWN"),
                new Topology(List.copyOf(vertices)),
                checkpointIntervalMs);
    }

    /** Reads {@code /jobs/{id}/checkpoints/config}: its {@code interval}, 0 when off. */
    public static Long checkpointInterval(JsonNode config) {
        // A job without periodic checkpoints reports Long.MAX_VALUE, or mode/interval may be
        // absent.
        long interval = config.path("interval").asLong(0);
        return interval <= 0 || interval == Long.MAX_VALUE ? 0L : interval;
    }

    /** The JobManager answered 404: the job or resource does not exist (any more). */
    static final class NotFoundException extends IOException {
        NotFoundException(URI uri) {
            super("HTTP 404 from " + uri);
        }
    }
}
