package io.flinkwatch.alerts.alertmanager;

import java.io.Serializable;

/**
 * How the forwarder authenticates to Alertmanager and which certificate authorities it trusts, in
 * the words of Prometheus' {@code http_config}: basic auth with a user name and a password file, or
 * a bearer token file, and a CA file. It holds file paths only, never a secret: the files are read
 * on the TaskManager, before every post, so that rotated secrets are picked up as Prometheus does.
 * An empty string means "not set".
 *
 * @param basicAuthUsername user name for basic auth (not a secret), or empty
 * @param basicAuthPasswordFile file holding the basic auth password, or empty
 * @param bearerTokenFile file holding a bearer token, or empty
 * @param tlsCaFile PEM file of the certificate authorities to trust for {@code https://}, or empty
 *     for the JVM's default trust store
 */
public record AlertmanagerHttpConfig(
        String basicAuthUsername,
        String basicAuthPasswordFile,
        String bearerTokenFile,
        String tlsCaFile)
        implements Serializable {

    /** No authentication, the JVM's default trust store. */
    public static final AlertmanagerHttpConfig NONE = new AlertmanagerHttpConfig("", "", "", "");

    public AlertmanagerHttpConfig {
        basicAuthUsername = orEmpty(basicAuthUsername);
        basicAuthPasswordFile = orEmpty(basicAuthPasswordFile);
        bearerTokenFile = orEmpty(bearerTokenFile);
        tlsCaFile = orEmpty(tlsCaFile);
        if (basicAuthUsername.isEmpty() != basicAuthPasswordFile.isEmpty()) {
            throw new IllegalArgumentException(
                    "basic auth needs both a user name and a password file");
        }
        if (!basicAuthUsername.isEmpty() && !bearerTokenFile.isEmpty()) {
            throw new IllegalArgumentException(
                    "basic auth and a bearer token exclude each other: one Authorization header");
        }
    }

    /** Basic auth with a user name and a password file. */
    public static AlertmanagerHttpConfig basicAuth(String username, String passwordFile) {
        return new AlertmanagerHttpConfig(username, passwordFile, "", "");
    }

    /** A bearer token read from a file. */
    public static AlertmanagerHttpConfig bearerToken(String tokenFile) {
        return new AlertmanagerHttpConfig("", "", tokenFile, "");
    }

    /** This configuration, trusting the certificate authorities in a PEM file. */
    public AlertmanagerHttpConfig withCaFile(String caFile) {
        return new AlertmanagerHttpConfig(
                basicAuthUsername, basicAuthPasswordFile, bearerTokenFile, caFile);
    }

    public boolean hasBasicAuth() {
        return !basicAuthUsername.isEmpty();
    }

    public boolean hasBearerToken() {
        return !bearerTokenFile.isEmpty();
    }

    public boolean hasCaFile() {
        return !tlsCaFile.isEmpty();
    }

    /** What credentials are sent, for log lines: names the files, never their contents. */
    public String describeCredentials() {
        if (hasBasicAuth()) {
            return "basic auth as user '"
                    + basicAuthUsername
                    + "' with the password in "
                    + basicAuthPasswordFile;
        }
        if (hasBearerToken()) {
            return "the bearer token in " + bearerTokenFile;
        }
        return "no credentials";
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text.trim();
    }
}
