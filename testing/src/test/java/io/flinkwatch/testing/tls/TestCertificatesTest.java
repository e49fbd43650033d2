package io.flinkwatch.testing.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCertificatesTest {

    @TempDir Path dir;

    @Test
    void aClientThatTrustsTheAuthorityCompletesAHandshakeWithItsServerOnLoopback()
            throws Exception {
        TestCertificates ca = TestCertificates.newAuthority(dir, "lab");
        TestCertificates.ServerCertificate server = ca.serverCertificate("broker");

        assertThat(handshake(server.pkcs12("changeit"), "changeit", ca.caPem())).isEqualTo(42);
    }

    @Test
    void aClientThatTrustsAnotherAuthorityRefusesTheServer() throws Exception {
        TestCertificates ca = TestCertificates.newAuthority(dir.resolve("a"), "lab");
        TestCertificates other = TestCertificates.newAuthority(dir.resolve("b"), "other");
        Path keyStore = ca.serverCertificate("broker").pkcs12("changeit");

        assertThatThrownBy(() -> handshake(keyStore, "changeit", other.caPem()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void theCertificateFilesArePem() throws Exception {
        TestCertificates ca = TestCertificates.newAuthority(dir, "lab");
        TestCertificates.ServerCertificate server = ca.serverCertificate("alertmanager");

        assertThat(Files.readString(server.certificatePem()))
                .startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(server.keyPem())).contains("PRIVATE KEY-----");
        assertThat(server.certificate().getSubjectAlternativeNames())
                .extracting(name -> (Object) name.get(1))
                .contains((Object) "localhost", "127.0.0.1");
    }

    @Test
    void bcryptHashesCheckAgainstTheirPasswordOnly() {
        String hash = TestCertificates.bcrypt("s3cret");

        assertThat(hash).startsWith("$2b$04$");
        assertThat(OpenBSDBCrypt.checkPassword(hash, "s3cret".toCharArray())).isTrue();
        assertThat(OpenBSDBCrypt.checkPassword(hash, "wrong".toCharArray())).isFalse();
    }

    /** Serves one byte over TLS on a loopback port and reads it with a client trusting caPem. */
    private static int handshake(Path keyStoreFile, String password, Path caPem) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStoreFile)) {
            keyStore.load(in, password.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance("PKIX");
        keys.init(keyStore, password.toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trusted.setCertificateEntry(
                    "ca",
                    (X509Certificate)
                            CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(trusted);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trust.getTrustManagers(), null);

        try (SSLServerSocket serverSocket =
                (SSLServerSocket)
                        serverContext
                                .getServerSocketFactory()
                                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served =
                    CompletableFuture.runAsync(
                            () -> {
                                try (SSLSocket socket = (SSLSocket) serverSocket.accept();
                                        OutputStream out = socket.getOutputStream()) {
                                    out.write(42);
                                    out.flush();
                                } catch (Exception e) {
                                    // The client's refusal shows on the client's side.
                                }
                            });
            try (SSLSocket client =
                    (SSLSocket)
                            clientContext
                                    .getSocketFactory()
                                    .createSocket("127.0.0.1", serverSocket.getLocalPort())) {
                client.setSSLParameters(withHostnameCheck(client));
                int read = client.getInputStream().read();
                served.get(10, TimeUnit.SECONDS);
                return read;
            }
        }
    }

    private static javax.net.ssl.SSLParameters withHostnameCheck(SSLSocket socket) {
        javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        return parameters;
    }
}
