package io.flinkwatch.alerts.alertmanager;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads what an {@link AlertmanagerHttpConfig} names: the Authorization header from the secret
 * files and the trusted certificate authorities from the CA file. Every call reads the files anew,
 * so a rotated secret or CA is used from the next post on (as Prometheus reads its {@code
 * password_file} and {@code credentials_file} per request).
 */
final class HttpCredentials {

    private final AlertmanagerHttpConfig config;

    HttpCredentials(AlertmanagerHttpConfig config) {
        this.config = config;
    }

    /** The value of the Authorization header, or null when no credentials are configured. */
    String authorization() throws CredentialFileException {
        if (config.hasBasicAuth()) {
            String password = secret("basic auth password file", config.basicAuthPasswordFile());
            String pair = config.basicAuthUsername() + ":" + password;
            return "Basic "
                    + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }
        if (config.hasBearerToken()) {
            return "Bearer " + secret("bearer token file", config.bearerTokenFile());
        }
        return null;
    }

    /** The CA file's bytes, or null without one: to notice that it changed. */
    byte[] caFileContent() throws CredentialFileException {
        return config.hasCaFile() ? read("TLS CA file", config.tlsCaFile()) : null;
    }

    /**
     * A TLS context that trusts exactly the certificates in the CA file content, or the JVM's
     * default one without a CA file.
     */
    SSLContext sslContext(byte[] caFileContent) throws CredentialFileException {
        try {
            if (caFileContent == null) {
                return SSLContext.getDefault();
            }
            Collection<? extends Certificate> certificates;
            try {
                certificates =
                        CertificateFactory.getInstance("X.509")
                                .generateCertificates(new ByteArrayInputStream(caFileContent));
            } catch (CertificateException e) {
                certificates = java.util.List.of();
            }
            if (certificates.isEmpty()) {
                throw new CredentialFileException(
                        "the TLS CA file "
                                + config.tlsCaFile()
                                + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trusted.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            if (e instanceof CredentialFileException credentialError) {
                throw credentialError;
            }
            throw new CredentialFileException(
                    "cannot use the TLS CA file " + config.tlsCaFile() + ": " + e);
        }
    }

    /** Reads every configured file once, to report a problem when forwarding starts. */
    void check() throws CredentialFileException {
        authorization();
        sslContext(caFileContent());
    }

    /**
     * A secret file's content without surrounding white space (the trailing newline editors and
     * {@code echo} leave), as Prometheus reads its secret files.
     */
    private static String secret(String what, String path) throws CredentialFileException {
        byte[] bytes = read(what, path);
        String secret = new String(bytes, StandardCharsets.UTF_8).strip();
        Arrays.fill(bytes, (byte) 0);
        if (secret.isEmpty()) {
            throw new CredentialFileException("the " + what + " " + path + " is empty");
        }
        return secret;
    }

    private static byte[] read(String what, String path) throws CredentialFileException {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (NoSuchFileException e) {
            throw new CredentialFileException(
                    "cannot read the " + what + " " + path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new CredentialFileException(
                    "cannot read the " + what + " " + path + ": permission denied");
        } catch (IOException | RuntimeException e) {
            // The reason only: an I/O error names the path, never the content.
            throw new CredentialFileException(
                    "cannot read the "
                            + what
                            + " "
                            + path
                            + ": "
                            + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }
}
