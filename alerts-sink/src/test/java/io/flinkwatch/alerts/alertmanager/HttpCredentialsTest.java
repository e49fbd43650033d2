package io.flinkwatch.alerts.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets and CAs read from real files; errors name the file and the reason, never a secret. */
class HttpCredentialsTest {

    @TempDir Path dir;

    @Test
    void basicAuthSendsTheUserAndThePasswordFromTheFileWithoutItsNewline() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "pä55 word\n");

        String header =
                new HttpCredentials(AlertmanagerHttpConfig.basicAuth("flinkwatch", password + ""))
                        .authorization();

        assertThat(header).startsWith("Basic ");
        assertThat(new String(Base64.getDecoder().decode(header.substring(6)), "UTF-8"))
                .isEqualTo("flinkwatch:pä55 word");
    }

    @Test
    void aBearerTokenIsReadAnewOnEveryCallSoARotatedOneIsUsed() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "first\n");
        HttpCredentials credentials =
                new HttpCredentials(AlertmanagerHttpConfig.bearerToken(token.toString()));
        assertThat(credentials.authorization()).isEqualTo("Bearer first");

        Files.writeString(token, "second");

        assertThat(credentials.authorization()).isEqualTo("Bearer second");
    }

    @Test
    void noCredentialsNoHeader() throws Exception {
        assertThat(new HttpCredentials(AlertmanagerHttpConfig.NONE).authorization()).isNull();
    }

    @Test
    void aMissingFileIsNamedWithItsPathAndTheReason() {
        Path missing = dir.resolve("nowhere/password");
        HttpCredentials credentials =
                new HttpCredentials(AlertmanagerHttpConfig.basicAuth("u", missing.toString()));

        assertThatThrownBy(credentials::authorization)
                .isInstanceOf(CredentialFileException.class)
                .hasMessage(
                        "cannot read the basic auth password file " + missing + ": no such file");
    }

    @Test
    void anUnreadableFileIsNamedWithItsPathAndTheReason() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads any file");
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("---------"));

        assertThatThrownBy(
                        () ->
                                new HttpCredentials(
                                                AlertmanagerHttpConfig.bearerToken(
                                                        token.toString()))
                                        .authorization())
                .hasMessage("cannot read the bearer token file " + token + ": permission denied");
    }

    @Test
    void aDirectoryInsteadOfAFileIsNamedWithTheReason() {
        assertThatThrownBy(
                        () ->
                                new HttpCredentials(AlertmanagerHttpConfig.bearerToken(dir + ""))
                                        .authorization())
                .hasMessage(
                        "cannot read the bearer token file "
                                + dir
                                + ": IOException Is a directory");
    }

    @Test
    void anEmptySecretFileIsAnErrorNotAnEmptyPassword() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), " \n");

        assertThatThrownBy(
                        () ->
                                new HttpCredentials(
                                                AlertmanagerHttpConfig.bearerToken(
                                                        token.toString()))
                                        .authorization())
                .hasMessage("the bearer token file " + token + " is empty");
    }

    @Test
    void aCaFileWithoutACertificateIsRefusedByName() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        HttpCredentials credentials =
                new HttpCredentials(AlertmanagerHttpConfig.NONE.withCaFile(ca.toString()));

        assertThatThrownBy(() -> credentials.sslContext(credentials.caFileContent()))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageStartingWith("the TLS CA file " + ca + " holds no PEM certificate");
        assertThatThrownBy(
                        () ->
                                new HttpCredentials(
                                                AlertmanagerHttpConfig.NONE.withCaFile(
                                                        dir.resolve("none.pem").toString()))
                                        .check())
                .hasMessageEndingWith("none.pem: no such file");
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutShowingThem() {
        assertThatThrownBy(() -> settings("https://flinkwatch:s3cret@127.0.0.1:9093"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https://******@127.0.0.1:9093")
                .hasMessageNotContaining("s3cret")
                .hasMessageNotContaining("flinkwatch:");
    }

    @Test
    void aCaFileNeedsAnHttpsUrl() {
        assertThatThrownBy(
                        () ->
                                new AlertForwarder.Settings(
                                        URI.create("http://127.0.0.1:9093"),
                                        "x",
                                        Duration.ofMinutes(1),
                                        10,
                                        Duration.ofSeconds(5),
                                        AlertmanagerHttpConfig.NONE.withCaFile("/etc/ca.pem")))
                .hasMessageContaining("not an https:// URL");
    }

    @Test
    void basicAuthAndABearerTokenExcludeEachOtherAndBasicAuthNeedsBothParts() {
        assertThatThrownBy(() -> new AlertmanagerHttpConfig("u", "/p", "/t", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> new AlertmanagerHttpConfig("", "/p", "", ""))
                .hasMessageContaining("both a user name and a password file");
        assertThatThrownBy(() -> new AlertmanagerHttpConfig("u", "", "", ""))
                .hasMessageContaining("both a user name and a password file");
    }

    @Test
    void theDescriptionOfCredentialsNamesFilesNotSecrets() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "s3cret");
        AlertmanagerHttpConfig config =
                AlertmanagerHttpConfig.basicAuth("flinkwatch", password.toString());

        assertThat(config.describeCredentials())
                .isEqualTo("basic auth as user 'flinkwatch' with the password in " + password)
                .doesNotContain(new String(Files.readAllBytes(password), StandardCharsets.UTF_8));
    }

    private static AlertForwarder.Settings settings(String url) {
        return new AlertForwarder.Settings(
                URI.create(url), "x", Duration.ofMinutes(1), 10, Duration.ofSeconds(5));
    }
}
