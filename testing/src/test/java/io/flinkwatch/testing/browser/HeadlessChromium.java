package io.flinkwatch.testing.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkwatch.testing.LocalProcesses;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven through the Chrome DevTools protocol
 * over the JDK's own WebSocket client: no WebDriver, no library. It records what a page logs to the
 * console, throws, and requests from the network, and can evaluate script and take screenshots.
 * Debugging listens on loopback only, on a port Chromium picks; its profile lives in a temporary
 * directory that {@link #close()} deletes with the process.
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /** The browser binary: Debian's chromium. */
    public static Path binary() {
        return Path.of(System.getProperty("flinkwatch.chromium", "/usr/bin/chromium"));
    }

    /** Starts a headless browser with a window of the given size and attaches to its page. */
    public static HeadlessChromium start(int width, int height) throws Exception {
        if (!Files.isExecutable(binary())) {
            throw new IllegalStateException(
                    binary()
                            + " is missing: the browser tests need Debian's chromium (.ci/test"
                            + " installs it; apt-get install chromium)");
        }
        Path profile = Files.createTempDirectory("flinkwatch-chromium-");
        Process process =
                new ProcessBuilder(
                                binary().toString(),
                                "--headless",
                                "--disable-gpu",
                                "--no-sandbox",
                                "--no-first-run",
                                "--no-default-browser-check",
                                "--disable-extensions",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--hide-scrollbars",
                                "--remote-debugging-address=127.0.0.1",
                                "--remote-debugging-port=0",
                                "--remote-allow-origins=*",
                                "--user-data-dir=" + profile,
                                "--window-size=" + width + "," + height,
                                "about:blank")
                        .redirectErrorStream(true)
                        .redirectOutput(profile.resolve("chromium.log").toFile())
                        .start();
        try {
            int port = awaitPort(process, profile.resolve("DevToolsActivePort"));
            HttpClient http = HttpClient.newHttpClient();
            String pageSocket = null;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (pageSocket == null && System.nanoTime() < deadline) {
                HttpResponse<String> list =
                        http.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:" + port + "/json/list"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                for (JsonNode target : JSON.readTree(list.body())) {
                    if ("page".equals(target.path("type").asText())) {
                        pageSocket = target.path("webSocketDebuggerUrl").asText();
                        break;
                    }
                }
                if (pageSocket == null) {
                    Thread.sleep(200);
                }
            }
            if (pageSocket == null) {
                throw new IllegalStateException("chromium opened no page to attach to");
            }
            HeadlessChromium[] self = new HeadlessChromium[1];
            Listener listener = new Listener(self);
            WebSocket socket =
                    http.newWebSocketBuilder()
                            .buildAsync(URI.create(pageSocket), listener)
                            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            self[0] = new HeadlessChromium(process, profile, socket);
            HeadlessChromium browser = self[0];
            browser.call("Runtime.enable", JSON.createObjectNode());
            browser.call("Log.enable", JSON.createObjectNode());
            browser.call("Network.enable", JSON.createObjectNode());
            browser.call("Page.enable", JSON.createObjectNode());
            return browser;
        } catch (Exception | Error e) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            LocalProcesses.deleteRecursively(profile);
            throw e;
        }
    }

    private static int awaitPort(Process process, Path portFile) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "chromium exited with " + process.exitValue() + " before it listened");
            }
            if (Files.exists(portFile)) {
                List<String> lines = Files.readAllLines(portFile);
                if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                    return Integer.parseInt(lines.get(0).trim());
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("chromium did not open its debugging port");
    }

    /** Sends a DevTools command and waits for its result. */
    public JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        ObjectNode message = JSON.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", params);
        synchronized (socket) {
            socket.sendText(JSON.writeValueAsString(message), true)
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        JsonNode response = result.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (response.has("error")) {
            throw new IllegalStateException(method + " failed: " + response.get("error"));
        }
        return response.path("result");
    }

    /** Opens {@code url} and waits until the page has loaded. */
    public void open(String url) throws Exception {
        int before = events.size();
        ObjectNode params = JSON.createObjectNode();
        params.put("url", url);
        JsonNode navigated = call("Page.navigate", params);
        if (navigated.hasNonNull("errorText")) {
            throw new IllegalStateException(
                    "cannot open " + url + ": " + navigated.get("errorText"));
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode event : events.subList(before, events.size())) {
                if ("Page.loadEventFired".equals(event.path("method").asText())) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(url + " did not finish loading");
    }

    /** Evaluates a script expression in the page and returns its value (JSON). */
    public JsonNode evaluate(String expression) throws Exception {
        ObjectNode params = JSON.createObjectNode();
        params.put("expression", expression);
        params.put("returnByValue", true);
        JsonNode result = call("Runtime.evaluate", params);
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException(
                    "script failed: " + result.get("exceptionDetails").toString());
        }
        return result.path("result").path("value");
    }

    /**
     * Console errors, uncaught exceptions and error log entries (failed loads among them) seen so
     * far, as text.
     */
    public List<String> errors() {
        List<String> errors = new ArrayList<>();
        for (JsonNode event : events) {
            String method = event.path("method").asText();
            JsonNode params = event.path("params");
            switch (method) {
                case "Runtime.consoleAPICalled" -> {
                    String type = params.path("type").asText();
                    if (type.equals("error") || type.equals("assert")) {
                        errors.add("console." + type + ": " + params.path("args"));
                    }
                }
                case "Runtime.exceptionThrown" ->
                        errors.add("exception: " + params.path("exceptionDetails"));
                case "Log.entryAdded" -> {
                    if (params.path("entry").path("level").asText().equals("error")) {
                        errors.add("log: " + params.path("entry"));
                    }
                }
                default -> {}
            }
        }
        return errors;
    }

    /** Every URL the page requested, the page itself included. */
    public List<String> requestedUrls() {
        List<String> urls = new ArrayList<>();
        for (JsonNode event : events) {
            if ("Network.requestWillBeSent".equals(event.path("method").asText())) {
                urls.add(event.path("params").path("request").path("url").asText());
            }
        }
        return urls;
    }

    /** Saves a PNG of the top {@code height} CSS pixels of the page, {@code width} wide. */
    public void screenshot(Path png, int width, int height) throws Exception {
        ObjectNode metrics = JSON.createObjectNode();
        metrics.put("width", width);
        metrics.put("height", height);
        metrics.put("deviceScaleFactor", 1);
        metrics.put("mobile", false);
        call("Emulation.setDeviceMetricsOverride", metrics);
        ObjectNode params = JSON.createObjectNode();
        params.put("format", "png");
        JsonNode shot = call("Page.captureScreenshot", params);
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // Chromium's helper processes (renderer, network service) outlive a killed browser for a
        // moment and write into the profile: ask it to quit, then wait for every one of them
        // before the profile is deleted.
        List<ProcessHandle> helpers = process.descendants().toList();
        try {
            call("Browser.close", JSON.createObjectNode());
        } catch (Exception e) {
            // Not answered or the connection is gone: it is stopped below either way.
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
        for (ProcessHandle helper : helpers) {
            try {
                helper.onExit().get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException
                    | java.util.concurrent.TimeoutException e) {
                helper.destroyForcibly();
            }
        }
        LocalProcesses.deleteRecursively(profile);
    }

    /** Collects whole messages (large ones, screenshots, come in fragments). */
    private static final class Listener implements WebSocket.Listener {
        private final HeadlessChromium[] owner;
        private final StringBuilder buffer = new StringBuilder();

        Listener(HeadlessChromium[] owner) {
            this.owner = owner;
        }

        /** The browser went away: nothing still waiting gets an answer. */
        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            failPending(new IllegalStateException("DevTools connection closed: " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            failPending(error);
        }

        private void failPending(Throwable cause) {
            HeadlessChromium browser = owner[0];
            if (browser != null) {
                browser.pending.values().forEach(waiting -> waiting.completeExceptionally(cause));
                browser.pending.clear();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String text = buffer.toString();
                buffer.setLength(0);
                try {
                    JsonNode message = JSON.readTree(text);
                    HeadlessChromium browser = owner[0];
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> waiting =
                                browser == null
                                        ? null
                                        : browser.pending.remove(message.get("id").asInt());
                        if (waiting != null) {
                            waiting.complete(message);
                        }
                    } else if (browser != null) {
                        browser.events.add(message);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("unreadable DevTools message", e);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
