package io.flinkwatch.testing.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser checks can fail: a page that logs an error, throws, and reaches for the network is
 * caught by each of them. (Port 9 on loopback is the discard port: nothing answers, nothing leaves
 * the machine.)
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HeadlessChromiumITCase {

    @TempDir Path dir;

    @Test
    void consoleErrorsExceptionsAndNetworkRequestsAreSeen() throws Exception {
        Path page = dir.resolve("bad.html");
        Files.writeString(
                page,
                "<!DOCTYPE html><html><body><p id=\"p\">hello</p>"
                        + "<img src=\"http://127.0.0.1:9/pixel.png\">"
                        + "<script>console.error('broken on purpose');"
                        + " undefinedFunction();</script></body></html>",
                StandardCharsets.UTF_8);
        try (HeadlessChromium browser = HeadlessChromium.start(800, 600)) {
            String url = page.toUri().toString();
            browser.open(url);

            assertThat(browser.errors())
                    .anyMatch(e -> e.startsWith("console.error") && e.contains("broken on purpose"))
                    .anyMatch(e -> e.startsWith("exception") && e.contains("undefinedFunction"));
            assertThat(browser.requestedUrls()).contains(url, "http://127.0.0.1:9/pixel.png");
            assertThat(browser.evaluate("document.getElementById('p').textContent").asText())
                    .isEqualTo("hello");

            Path png = dir.resolve("bad.png");
            browser.screenshot(png, 800, 600);
            assertThat(Files.size(png)).isPositive();
        }
    }
}
