package io.flinkwatch.testing.alertmanager;

import static io.flinkwatch.testing.alertmanager.AlertForwarderITCase.event;
import static io.flinkwatch.testing.alertmanager.AlertForwarderITCase.of;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.alerts.alertmanager.AlertForwarder;
import io.flinkwatch.alerts.alertmanager.AlertmanagerHttpConfig;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.testing.LogCapture;
import io.flinkwatch.testing.tls.TestCertificates;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarder against a real Alertmanager behind its own TLS and basic auth ({@code
 * --web.config.file} with {@code tls_server_config} and {@code basic_auth_users}), with a CA made
 * for the test; bearer tokens through an HTTPS proxy in front of a real Alertmanager that checks
 * them. No secret ever reaches a log line.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AlertmanagerAuthITCase {

    private static final String USER = "flinkwatch";
    private static final String PASSWORD = "c0rrect-h0rse-battery";

    @TempDir static Path dir;

    private static TestCertificates ca;
    private static LocalAlertmanager alertmanager;

    @BeforeAll
    static void startAlertmanager() throws Exception {
        ca = TestCertificates.newAuthority(dir.resolve("ca"), "flinkwatch");
        alertmanager =
                LocalAlertmanager.start(
                        LocalAlertmanager.WebConfig.tls(ca).withBasicAuth(USER, PASSWORD));
    }

    @AfterAll
    static void stopAlertmanager() {
        if (alertmanager != null) {
            alertmanager.close();
        }
    }

    @Test
    void alertsArriveOverHttpsWithBasicAuthFromAPasswordFile() throws Exception {
        Path password = secret("password", PASSWORD + "\n");
        try (LogCapture log = LogCapture.of("io.flinkwatch.alerts.alertmanager")) {
            try (AlertForwarder forwarder =
                    forwarder(
                                    alertmanager.url(),
                                    AlertmanagerHttpConfig.basicAuth(USER, password.toString())
                                            .withCaFile(ca.caPem().toString()),
                                    100)
                            .start()) {
                forwarder.accept(event("secure", AlertReason.STARTED, List.of()));

                alertmanager.awaitAlerts(
                        alerts -> of(alerts, "secure") != null, Duration.ofSeconds(30));
                assertThat(forwarder.posted()).isEqualTo(1);
                assertThat(forwarder.failedPosts()).isZero();
                assertThat(forwarder.authenticationFailures()).isZero();
            }
            assertThat(alertmanager.url()).startsWith("https://");
            assertNoSecretIn(log, PASSWORD);
        }
    }

    @Test
    void alertmanagerRefusesAPostWithoutCredentials() throws Exception {
        // What makes the other tests meaningful: the web config is enforced.
        try (LogCapture log = LogCapture.of("io.flinkwatch.alerts.alertmanager");
                AlertForwarder forwarder =
                        forwarder(
                                        alertmanager.url(),
                                        AlertmanagerHttpConfig.NONE.withCaFile(
                                                ca.caPem().toString()),
                                        100)
                                .start()) {
            forwarder.accept(event("anonymous", AlertReason.STARTED, List.of()));

            LogCapture.Line line = log.await(20_000, "refused 1 alerts", "401", "no credentials");
            assertThat(line.level()).isEqualTo(Level.ERROR);
            assertThat(forwarder.authenticationFailures()).isPositive();
            assertThat(forwarder.posted()).isZero();
        }
    }

    @Test
    void aWrongPasswordIsLoggedAndCountedNeverBlocksAndARotatedPasswordIsUsed() throws Exception {
        Path password = secret("rotated-password", "wr0ng-passw0rd\n");
        try (LogCapture log = LogCapture.of("io.flinkwatch.alerts.alertmanager");
                AlertForwarder forwarder =
                        forwarder(
                                        alertmanager.url(),
                                        AlertmanagerHttpConfig.basicAuth(USER, password.toString())
                                                .withCaFile(ca.caPem().toString()),
                                        10)
                                .start()) {
            forwarder.accept(event("rotated", AlertReason.STARTED, List.of()));

            LogCapture.Line refused =
                    log.await(
                            20_000,
                            "Alertmanager at " + alertmanager.url() + "/api/v2/alerts refused 1",
                            "(401: Unauthorized)",
                            "basic auth as user 'flinkwatch' with the password in " + password);
            assertThat(refused.level()).isEqualTo(Level.ERROR);
            assertThat(forwarder.authenticationFailures()).isPositive();
            assertThat(forwarder.failedPosts()).isPositive();
            assertThat(forwarder.posted()).isZero();

            // The caller never waits: the queue stays bounded and the oldest events are dropped.
            long before = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                forwarder.accept(event("flood-" + i, AlertReason.STARTED, List.of()));
            }
            assertThat(Duration.ofNanos(System.nanoTime() - before))
                    .isLessThan(Duration.ofSeconds(1));
            assertThat(forwarder.queued()).isEqualTo(10);
            assertThat(forwarder.dropped()).isGreaterThanOrEqualTo(990);

            // The password file is read again before each retry: rotating it is enough.
            Files.writeString(password, PASSWORD + "\n");
            alertmanager.awaitAlerts(
                    alerts -> of(alerts, "rotated") != null && of(alerts, "flood-999") != null,
                    Duration.ofSeconds(60));
            assertNoSecretIn(log, PASSWORD, "wr0ng-passw0rd");
        }
    }

    @Test
    void anUntrustedCertificateFailsWithAClearError() throws Exception {
        TestCertificates other = TestCertificates.newAuthority(dir.resolve("other"), "other");
        Path password = secret("password-untrusted", PASSWORD);
        try (LogCapture log = LogCapture.of("io.flinkwatch.alerts.alertmanager")) {
            try (AlertForwarder forwarder =
                    forwarder(
                                    alertmanager.url(),
                                    AlertmanagerHttpConfig.basicAuth(USER, password.toString())
                                            .withCaFile(other.caPem().toString()),
                                    100)
                            .start()) {
                forwarder.accept(event("untrusted", AlertReason.STARTED, List.of()));

                LogCapture.Line line =
                        log.await(
                                20_000,
                                "TLS handshake with Alertmanager at "
                                        + alertmanager.url()
                                        + "/api/v2/alerts failed",
                                "signed by a certificate authority in the TLS CA file "
                                        + other.caPem());
                assertThat(line.level()).isEqualTo(Level.ERROR);
                assertThat(forwarder.posted()).isZero();
                assertThat(forwarder.failedPosts()).isPositive();
            }
            // Without a CA file, the JVM's trust store does not know the test CA either.
            try (AlertForwarder forwarder =
                    forwarder(
                                    alertmanager.url(),
                                    AlertmanagerHttpConfig.basicAuth(USER, password.toString()),
                                    100)
                            .start()) {
                forwarder.accept(event("untrusted", AlertReason.STARTED, List.of()));

                log.await(
                        20_000,
                        "TLS handshake with Alertmanager",
                        "the JVM's default trust store (no CA file is configured)");
                assertThat(forwarder.posted()).isZero();
            }
            assertNoSecretIn(log, PASSWORD);
        }
        assertThat(of(alertmanager.alerts(), "untrusted")).isNull();
    }

    @Test
    void aMissingPasswordFileIsNamedWhenForwardingStartsAndUsedOnceItAppears() throws Exception {
        Path password = dir.resolve("secrets/mounted-later");
        try (LogCapture log = LogCapture.of("io.flinkwatch.alerts.alertmanager");
                AlertForwarder forwarder =
                        forwarder(
                                        alertmanager.url(),
                                        AlertmanagerHttpConfig.basicAuth(USER, password.toString())
                                                .withCaFile(ca.caPem().toString()),
                                        100)
                                .start()) {
            LogCapture.Line atStart =
                    log.await(
                            1_000,
                            "cannot read the basic auth password file "
                                    + password
                                    + ": no such file");
            assertThat(atStart.level()).isEqualTo(Level.ERROR);

            forwarder.accept(event("mounted", AlertReason.STARTED, List.of()));
            await(() -> forwarder.authenticationFailures() > 0);
            assertThat(forwarder.posted()).isZero();

            Files.createDirectories(password.getParent());
            Files.writeString(password, PASSWORD);
            alertmanager.awaitAlerts(
                    alerts -> of(alerts, "mounted") != null, Duration.ofSeconds(60));
            assertNoSecretIn(log, PASSWORD);
        }
    }

    @Test
    void aBearerTokenFromAFileIsSentAndARotatedOneIsUsed() throws Exception {
        Path token = secret("token", "t0ken-one\n");
        try (LogCapture log = LogCapture.of("io.flinkwatch.alerts.alertmanager");
                LocalAlertmanager behind = LocalAlertmanager.start();
                BearerTokenProxy proxy = BearerTokenProxy.start(behind, ca, "t0ken-one");
                AlertForwarder forwarder =
                        forwarder(
                                        proxy.url(),
                                        AlertmanagerHttpConfig.bearerToken(token.toString())
                                                .withCaFile(ca.caPem().toString()),
                                        100)
                                .start()) {
            forwarder.accept(event("bearer", AlertReason.STARTED, List.of()));

            behind.awaitAlerts(alerts -> of(alerts, "bearer") != null, Duration.ofSeconds(30));
            assertThat(proxy.authorized()).isPositive();
            assertThat(proxy.refused()).isZero();

            // The server now wants another token: refused and counted until the file has it.
            proxy.acceptOnly("t0ken-two");
            forwarder.accept(event("bearer-2", AlertReason.STARTED, List.of()));
            log.await(20_000, "refused 1 alerts", "401", "the bearer token in " + token);
            assertThat(forwarder.authenticationFailures()).isPositive();

            Files.writeString(token, "t0ken-two\n");
            behind.awaitAlerts(alerts -> of(alerts, "bearer-2") != null, Duration.ofSeconds(60));
            assertNoSecretIn(log, "t0ken-one", "t0ken-two");
        }
    }

    private static AlertForwarder forwarder(String url, AlertmanagerHttpConfig http, int capacity) {
        return new AlertForwarder(
                new AlertForwarder.Settings(
                        URI.create(url),
                        "http://flink.example:8081/#/job/running/{job_id}/overview",
                        Duration.ofMinutes(1),
                        capacity,
                        Duration.ofSeconds(5),
                        http));
    }

    private static Path secret(String name, String content) throws Exception {
        Path file = dir.resolve("secrets").resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    /** Neither a secret nor its basic auth encoding is in any log line or thread name. */
    private static void assertNoSecretIn(LogCapture log, String... secrets) {
        assertThat(log.lines()).isNotEmpty();
        for (String secret : secrets) {
            String encoded =
                    Base64.getEncoder()
                            .encodeToString((USER + ":" + secret).getBytes(StandardCharsets.UTF_8));
            for (LogCapture.Line line : log.lines()) {
                assertThat(line.toString()).doesNotContain(secret).doesNotContain(encoded);
            }
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
