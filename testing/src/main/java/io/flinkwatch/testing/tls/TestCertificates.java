package io.flinkwatch.testing.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test: it signs server certificates for the loopback
 * addresses and writes them as PEM files (what Alertmanager reads) or PKCS12 key stores (what a
 * Kafka broker reads). Nothing leaves the test's directory, and no certificate is trusted anywhere
 * but where the test points a client at {@link #caPem()}.
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final Path caPem;

    private TestCertificates(Path dir, String name, KeyPair caKeys, X509Certificate ca)
            throws IOException {
        this.dir = dir;
        this.name = name;
        this.caKeys = caKeys;
        this.caCertificate = ca;
        this.caPem = dir.resolve(name + "-ca.pem");
        Files.writeString(caPem, pem(ca));
    }

    /** A new certificate authority named {@code name}, whose files go to {@code dir}. */
    public static TestCertificates newAuthority(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            KeyPair keys = rsaKeys();
            X500Name subject = new X500Name("CN=" + name + " test CA");
            X509v3CertificateBuilder builder = builder(subject, subject, keys, Duration.ofDays(2));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestCertificates(dir, name, keys, sign(builder, keys));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a test certificate authority", e);
        }
    }

    /** The authority's certificate as a PEM file: what clients are told to trust. */
    public Path caPem() {
        return caPem;
    }

    /** A client TLS context that trusts this authority only (for test clients). */
    public javax.net.ssl.SSLContext clientContext() {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", caCertificate);
            javax.net.ssl.TrustManagerFactory trust =
                    javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            trust.init(trusted);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a client TLS context", e);
        }
    }

    /** The directory the files are written to. */
    public Path dir() {
        return dir;
    }

    /**
     * A server certificate for {@code localhost} and {@code 127.0.0.1}, signed by this authority.
     */
    public ServerCertificate serverCertificate(String serverName) {
        try {
            KeyPair keys = rsaKeys();
            X509v3CertificateBuilder builder =
                    new JcaX509v3CertificateBuilder(
                            caCertificate,
                            BigInteger.valueOf(SERIAL.incrementAndGet()),
                            Date.from(Instant.now().minus(Duration.ofHours(1))),
                            Date.from(Instant.now().plus(Duration.ofDays(1))),
                            new X500Name("CN=" + serverName),
                            keys.getPublic());
            builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(
                            new GeneralName[] {
                                new GeneralName(GeneralName.dNSName, "localhost"),
                                new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                            }));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate certificate = sign(builder, caKeys);
            Path certificatePem = dir.resolve(name + "-" + serverName + ".pem");
            Path keyPem = dir.resolve(name + "-" + serverName + "-key.pem");
            Files.writeString(certificatePem, pem(certificate) + pem(caCertificate));
            Files.writeString(keyPem, pem(keys.getPrivate()));
            return new ServerCertificate(keys, certificate, caCertificate, certificatePem, keyPem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a test certificate", e);
        }
    }

    /**
     * A server's key and certificate chain, as PEM files and, for servers that want one, as a
     * PKCS12 key store.
     */
    public record ServerCertificate(
            KeyPair keys,
            X509Certificate certificate,
            X509Certificate issuer,
            Path certificatePem,
            Path keyPem) {

        /** Writes the key and chain to a PKCS12 key store next to the PEM files. */
        public Path pkcs12(String password) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry(
                        "server",
                        keys.getPrivate(),
                        password.toCharArray(),
                        new Certificate[] {certificate, issuer});
                Path file =
                        certificatePem.resolveSibling(
                                certificatePem.getFileName().toString().replace(".pem", ".p12"));
                try (OutputStream out = Files.newOutputStream(file)) {
                    store.store(out, password.toCharArray());
                }
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot write a PKCS12 key store", e);
            }
        }
    }

    /**
     * A bcrypt hash of a password (cost 4, the least: tests hash and check many), as the {@code
     * basic_auth_users} of a Prometheus web configuration want it.
     */
    public static String bcrypt(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2b", password.toCharArray(), salt, 4);
    }

    private static KeyPair rsaKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(
            X500Name issuer, X500Name subject, KeyPair keys, Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(validity)),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner contentSigner =
                new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }
}
