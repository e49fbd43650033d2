package io.flinkwatch.testing.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkwatch.testing.LocalProcesses;
import io.flinkwatch.testing.kafka.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real standalone Flink session cluster: a JobManager and a TaskManager, each a JVM of its own,
 * started from the jars a Flink distribution's {@code lib/} holds (module {@code
 * testing/flink-dist} for 2.2, {@code testing/flink-dist-1.20} for 1.20), with its {@code plugins/}
 * directory, a {@code config.yaml} (or a 1.x {@code flink-conf.yaml}), log files, and only loopback
 * addresses on free ports. Jobs are submitted through the REST API, as {@code flink run} or a
 * user's CI would. {@link #close()} stops both processes and deletes the directory.
 */
public final class StandaloneCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneCluster.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOB_MANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String RESOURCE_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private final Path home;
    private final URI restUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();

    private StandaloneCluster(Path home, int restPort) {
        this.home = home;
        this.restUrl = URI.create("http://127.0.0.1:" + restPort + "/");
    }

    /**
     * @param flinkDist a directory with {@code flink-classpath.txt} and {@code plugins/}
     */
    public static Builder builder(Path flinkDist) {
        return new Builder(flinkDist);
    }

    /** Where the cluster's REST API (and web UI) listens. */
    public URI restUrl() {
        return restUrl;
    }

    public Path jobManagerLog() {
        return home.resolve("log/jobmanager.log");
    }

    public Path taskManagerLog() {
        return home.resolve("log/taskmanager.log");
    }

    /** Uploads a job jar ({@code POST /jars/upload}) and returns its id. */
    public String uploadJar(Path jar) {
        String boundary = "flinkwatch-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            body.write(
                    ("--"
                                    + boundary
                                    + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                    + jar.getFileName()
                                    + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + jar, e);
        }
        JsonNode answer =
                send(
                        HttpRequest.newBuilder(restUrl.resolve("jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        String file = answer.path("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /**
     * Runs an uploaded jar ({@code POST /jars/{id}/run}) with program arguments; returns the job
     * id.
     */
    public String run(String jarId, List<String> programArgs, int parallelism) {
        Map<String, Object> request = new LinkedHashMap<>();
        // Flink 2.x ignores the string form "programArgs": only the list is read.
        request.put("programArgsList", programArgs);
        request.put("parallelism", parallelism);
        try {
            JsonNode answer =
                    send(
                            HttpRequest.newBuilder(restUrl.resolve("jars/" + jarId + "/run"))
                                    .header("Content-Type", "application/json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofByteArray(
                                                    JSON.writeValueAsBytes(request))));
            return answer.path("jobid").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the job and all its subtasks run. */
    public void awaitRunning(String jobId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode job = null;
        while (System.nanoTime() < deadline) {
            job = get("jobs/" + jobId);
            if (job.path("state").asText().equals("RUNNING") && allVerticesRunning(job)) {
                return;
            }
            if (Stream.of("FAILED", "CANCELED", "FINISHED")
                    .anyMatch(job.path("state").asText()::equals)) {
                break;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                "job "
                        + jobId
                        + " is not running: "
                        + job
                        + "\n"
                        + get("jobs/" + jobId + "/exceptions"));
    }

    private static boolean allVerticesRunning(JsonNode job) {
        for (JsonNode vertex : job.path("vertices")) {
            if (!vertex.path("status").asText().equals("RUNNING")) {
                return false;
            }
        }
        return job.path("vertices").size() > 0;
    }

    /** Cancels a job ({@code PATCH /jobs/{id}?mode=cancel}) and waits until it is cancelled. */
    public void cancel(String jobId) throws InterruptedException {
        send(
                HttpRequest.newBuilder(restUrl.resolve("jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline
                && !get("jobs/" + jobId).path("state").asText().equals("CANCELED")) {
            Thread.sleep(200);
        }
    }

    /** The id of the job's vertex whose name contains {@code name}. */
    public String vertexId(String jobId, String name) {
        for (JsonNode vertex : get("jobs/" + jobId).path("vertices")) {
            if (vertex.path("name").asText().contains(name)) {
                return vertex.path("id").asText();
            }
        }
        throw new IllegalArgumentException(
                "job " + jobId + " has no vertex named like '" + name + "'");
    }

    /**
     * The sum over a vertex's subtasks of a metric ({@code
     * /jobs/{id}/vertices/{vid}/subtasks/metrics?get=...}), or NaN before the metric is known.
     */
    public double vertexMetricSum(String jobId, String vertexId, String metric) {
        JsonNode values =
                get(
                        "jobs/"
                                + jobId
                                + "/vertices/"
                                + vertexId
                                + "/subtasks/metrics?get="
                                + metric
                                + "&agg=sum");
        for (JsonNode value : values) {
            if (value.path("id").asText().equals(metric)) {
                return value.path("sum").asDouble(Double.NaN);
            }
        }
        return Double.NaN;
    }

    /** GETs a REST resource, e.g. {@code jobs/overview}. */
    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(restUrl.resolve(path)).GET());
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response =
                    http.send(
                            request.timeout(Duration.ofSeconds(60)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        "HTTP "
                                + response.statusCode()
                                + " from "
                                + response.uri()
                                + ": "
                                + new String(response.body(), StandardCharsets.UTF_8));
            }
            return response.body().length == 0
                    ? JSON.createObjectNode()
                    : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("REST call to " + restUrl + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Stops the TaskManager and the JobManager (gracefully first), then deletes the cluster's
     * directory.
     */
    @Override
    public void close() {
        stop();
        LocalProcesses.deleteRecursively(home);
    }

    /** Stops the processes but keeps their directory, so that their logs can be read. */
    public void stop() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            LocalProcesses.stop(processes.get(i), Duration.ofSeconds(30));
        }
    }

    /** What the cluster is made of. */
    public static final class Builder {

        private final Path flinkDist;
        private final Map<String, String> config = new LinkedHashMap<>();
        private final Map<String, String> jobManagerConfig = new LinkedHashMap<>();
        private final Map<String, String> taskManagerConfig = new LinkedHashMap<>();
        private final Map<String, Path> plugins = new LinkedHashMap<>();
        private String jvmOptions = System.getProperty("flinkwatch.flink.jvm.opens", "");
        private boolean legacyConfigFile;
        private final int restPort = FreePorts.next();

        private Builder(Path flinkDist) {
            this.flinkDist = flinkDist;
        }

        /**
         * Where the cluster's REST API will listen (known before it starts, for its own config).
         */
        public URI restUrl() {
            return URI.create("http://127.0.0.1:" + restPort + "/");
        }

        /** A {@code config.yaml} entry for both processes. */
        public Builder config(String key, String value) {
            config.put(key, value);
            return this;
        }

        /** A setting for the JobManager only (a dynamic property on its command line). */
        public Builder jobManagerConfig(String key, String value) {
            jobManagerConfig.put(key, value);
            return this;
        }

        /** A setting for the TaskManager only. */
        public Builder taskManagerConfig(String key, String value) {
            taskManagerConfig.put(key, value);
            return this;
        }

        /** Installs a plugin jar as {@code plugins/<directory>/<jar>}. */
        public Builder plugin(String directory, Path jar) {
            plugins.put(directory, jar);
            return this;
        }

        /**
         * Writes the settings to a legacy {@code flink-conf.yaml} (flat {@code key: value} lines)
         * instead of {@code config.yaml}. Flink 1.19 and 1.20 read {@code flink-conf.yaml} when it
         * exists, with their old parser, and {@code config.yaml} (standard YAML) otherwise; Flink
         * 2.x reads only {@code config.yaml}.
         */
        public Builder legacyConfigFile(boolean legacy) {
            this.legacyConfigFile = legacy;
            return this;
        }

        /** The JVM options both processes need (Java 17's --add-opens for Flink). */
        public Builder jvmOptions(String options) {
            this.jvmOptions = options;
            return this;
        }

        public StandaloneCluster start() throws IOException, InterruptedException {
            Path home = Files.createTempDirectory("flinkwatch-flink-");
            StandaloneCluster cluster = new StandaloneCluster(home, restPort);
            try {
                start(cluster, home, restPort);
            } catch (IOException | RuntimeException | InterruptedException e) {
                cluster.close();
                throw e;
            }
            return cluster;
        }

        private void start(StandaloneCluster cluster, Path home, int restPort)
                throws IOException, InterruptedException {
            Path conf = Files.createDirectories(home.resolve("conf"));
            Path log = Files.createDirectories(home.resolve("log"));
            Path pluginsDir = Files.createDirectories(home.resolve("plugins"));
            Path distPlugins = flinkDist.resolve("plugins");
            if (Files.isDirectory(distPlugins)) {
                try (Stream<Path> dirs = Files.list(distPlugins)) {
                    for (Path dir : dirs.toList()) {
                        copyDirectory(dir, pluginsDir.resolve(dir.getFileName().toString()));
                    }
                }
            }
            for (Map.Entry<String, Path> plugin : plugins.entrySet()) {
                Path dir = Files.createDirectories(pluginsDir.resolve(plugin.getKey()));
                Files.copy(plugin.getValue(), dir.resolve(plugin.getValue().getFileName()));
            }

            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("jobmanager.rpc.address", "127.0.0.1");
            settings.put("jobmanager.rpc.port", Integer.toString(FreePorts.next()));
            settings.put("jobmanager.bind-host", "127.0.0.1");
            settings.put("taskmanager.bind-host", "127.0.0.1");
            settings.put("taskmanager.host", "127.0.0.1");
            settings.put("rest.address", "127.0.0.1");
            settings.put("rest.bind-address", "127.0.0.1");
            settings.put("rest.port", Integer.toString(restPort));
            settings.put("jobmanager.memory.process.size", "768m");
            settings.put("taskmanager.memory.process.size", "1024m");
            settings.put("taskmanager.memory.managed.size", "64m");
            settings.put("taskmanager.numberOfTaskSlots", "2");
            settings.put("parallelism.default", "1");
            settings.put("io.tmp.dirs", Files.createDirectories(home.resolve("tmp")).toString());
            settings.put(
                    "web.upload.dir", Files.createDirectories(home.resolve("upload")).toString());
            settings.put("web.submit.enable", "true");
            settings.put("metrics.fetcher.update-interval", "1000");
            settings.putAll(config);
            if (legacyConfigFile) {
                writeLegacyConfig(conf.resolve("flink-conf.yaml"), settings);
            } else {
                writeConfig(conf.resolve("config.yaml"), settings);
            }
            Files.writeString(conf.resolve("log4j.properties"), LOG4J, StandardCharsets.UTF_8);

            String classpath =
                    Files.readString(
                                    flinkDist.resolve("flink-classpath.txt"),
                                    StandardCharsets.UTF_8)
                            .trim();
            Map<String, String> environment =
                    Map.of(
                            "FLINK_CONF_DIR",
                            conf.toString(),
                            "FLINK_PLUGINS_DIR",
                            pluginsDir.toString());

            List<String> jobManagerResources =
                    resources("GET_JM_RESOURCE_PARAMS", classpath, conf, home);
            cluster.processes.add(
                    launch(
                            home,
                            classpath,
                            environment,
                            log.resolve("jobmanager.log"),
                            jobManagerResources.get(0),
                            JOB_MANAGER_MAIN,
                            conf,
                            jobManagerResources.get(1),
                            jobManagerConfig));
            List<String> taskManagerResources =
                    resources("GET_TM_RESOURCE_PARAMS", classpath, conf, home);
            cluster.processes.add(
                    launch(
                            home,
                            classpath,
                            environment,
                            log.resolve("taskmanager.log"),
                            taskManagerResources.get(0),
                            TASK_MANAGER_MAIN,
                            conf,
                            taskManagerResources.get(1),
                            taskManagerConfig));
            cluster.awaitTaskManager(Duration.ofSeconds(90));
            LOG.info("Standalone Flink cluster up at {} (directory {})", cluster.restUrl, home);
        }

        /** The JVM flags and dynamic properties Flink's scripts would compute for a process. */
        private List<String> resources(String command, String classpath, Path conf, Path home)
                throws IOException, InterruptedException {
            Process process =
                    new ProcessBuilder(
                                    java(),
                                    "-cp",
                                    classpath,
                                    RESOURCE_UTILS,
                                    command,
                                    "--configDir",
                                    conf.toString())
                            .redirectErrorStream(true)
                            .redirectOutput(home.resolve("log").resolve(command + ".out").toFile())
                            .start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        command
                                + " failed: "
                                + Files.readString(home.resolve("log").resolve(command + ".out")));
            }
            List<String> results = new ArrayList<>();
            for (String line : Files.readAllLines(home.resolve("log").resolve(command + ".out"))) {
                if (line.startsWith(RESULT_PREFIX)) {
                    results.add(line.substring(RESULT_PREFIX.length()).trim());
                }
            }
            if (results.size() < 2) {
                throw new IllegalStateException(
                        command + " printed no resource settings: " + results);
            }
            return results.subList(results.size() - 2, results.size());
        }

        private Process launch(
                Path home,
                String classpath,
                Map<String, String> environment,
                Path logFile,
                String resourceFlags,
                String main,
                Path conf,
                String dynamicProperties,
                Map<String, String> ownConfig)
                throws IOException {
            List<String> command = new ArrayList<>();
            command.add(java());
            command.addAll(split(jvmOptions));
            command.addAll(split(resourceFlags));
            command.add("-Dlog.file=" + logFile);
            command.add("-Dlog4j.configurationFile=file:" + conf.resolve("log4j.properties"));
            command.add("-cp");
            command.add(classpath);
            command.add(main);
            command.add("--configDir");
            command.add(conf.toString());
            command.addAll(split(dynamicProperties));
            ownConfig.forEach(
                    (key, value) -> {
                        command.add("-D");
                        command.add(key + "=" + value);
                    });
            ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
            builder.environment().putAll(environment);
            builder.redirectErrorStream(true);
            builder.redirectOutput(Path.of(logFile.toString().replace(".log", ".out")).toFile());
            return builder.start();
        }

        private static String java() {
            return Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }

        private static List<String> split(String flags) {
            return flags.isBlank() ? List.of() : Arrays.stream(flags.trim().split("\\s+")).toList();
        }

        private static void writeConfig(Path file, Map<String, String> settings)
                throws IOException {
            StringBuilder yaml = new StringBuilder("# Written by StandaloneCluster.\n");
            settings.forEach(
                    (key, value) ->
                            yaml.append(key)
                                    .append(": \"")
                                    .append(value.replace("\\", "\\\\").replace("\"", "\\\""))
                                    .append("\"\n"));
            Files.writeString(file, yaml.toString(), StandardCharsets.UTF_8);
        }

        /** The old flat format: one {@code key: value} a line, values as they are (no quoting). */
        private static void writeLegacyConfig(Path file, Map<String, String> settings)
                throws IOException {
            StringBuilder lines = new StringBuilder("# Written by StandaloneCluster.\n");
            settings.forEach(
                    (key, value) -> {
                        if (value.contains("\n") || value.startsWith("#")) {
                            throw new IllegalArgumentException(
                                    "flink-conf.yaml cannot hold " + key + ": " + value);
                        }
                        lines.append(key).append(": ").append(value).append('\n');
                    });
            Files.writeString(file, lines.toString(), StandardCharsets.UTF_8);
        }

        private static void copyDirectory(Path from, Path to) throws IOException {
            Files.createDirectories(to);
            try (Stream<Path> files = Files.list(from)) {
                for (Path file : files.toList()) {
                    Files.copy(file, to.resolve(file.getFileName().toString()));
                }
            }
        }
    }

    private void awaitTaskManager(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            for (Process process : processes) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "a Flink process exited with "
                                    + process.exitValue()
                                    + "; see "
                                    + home.resolve("log"));
                }
            }
            try {
                if (get("overview").path("taskmanagers").asInt() >= 1) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                "no TaskManager registered within " + timeout + "; see " + home.resolve("log"),
                last);
    }

    private static final String LOG4J =
            """
            rootLogger.level = INFO
            rootLogger.appenderRef.file.ref = MainAppender
            appender.main.name = MainAppender
            appender.main.type = File
            appender.main.append = true
            appender.main.fileName = ${sys:log.file}
            appender.main.layout.type = PatternLayout
            appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
            logger.kafka.name = org.apache.kafka
            logger.kafka.level = WARN
            logger.pekko.name = org.apache.pekko
            logger.pekko.level = INFO
            """;
}
