package io.flinkwatch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void secretKeysAreTheJaasConfigThePrivateKeyAndAnythingWithPasswordSecretOrToken() {
        assertThat(Secrets.isSecretKey("sasl.jaas.config")).isTrue();
        assertThat(Secrets.isSecretKey("kafka.properties.sasl.jaas.config")).isTrue();
        assertThat(Secrets.isSecretKey("ssl.truststore.password")).isTrue();
        assertThat(Secrets.isSecretKey("ssl.keystore.key")).isTrue();
        assertThat(Secrets.isSecretKey("sasl.oauthbearer.client.credentials.client.secret"))
                .isTrue();
        assertThat(Secrets.isSecretKey("SASL_OAUTHBEARER_TOKEN_ENDPOINT")).isTrue();

        assertThat(Secrets.isSecretKey("security.protocol")).isFalse();
        assertThat(Secrets.isSecretKey("ssl.truststore.location")).isFalse();
        assertThat(Secrets.isSecretKey("sasl.mechanism")).isFalse();
    }

    @Test
    void urlsLoseTheirCredentialsWhereverTheyStand() {
        assertThat(Secrets.redactUrls("https://ops:hunter2@am.example:9093/"))
                .isEqualTo("https://******@am.example:9093/");
        assertThat(Secrets.redactUrls("a http://u@h:1 and SASL_SSL://x:y@broker:9093, z"))
                .isEqualTo("a http://******@h:1 and SASL_SSL://******@broker:9093, z");
        assertThat(Secrets.redactUrls("http://am.example:9093/path@v2"))
                .isEqualTo("http://am.example:9093/path@v2");
        assertThat(Secrets.redactUrls("no url here")).isEqualTo("no url here");
        assertThat(Secrets.redactUrls("https://ops:p@ss@am:9093/x"))
                .isEqualTo("https://******@am:9093/x");
    }

    @Test
    void aMapIsShownWithItsSecretsMaskedInItsOrder() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(
                "kafka.properties.sasl.jaas.config", "ScramLoginModule required password=\"p\";");
        settings.put("kafka.properties.security.protocol", "SASL_SSL");
        settings.put("alertmanager.url", "https://ops:hunter2@am:9093");

        assertThat(Secrets.redact(settings))
                .containsExactly(
                        Map.entry("kafka.properties.sasl.jaas.config", Secrets.MASK),
                        Map.entry("kafka.properties.security.protocol", "SASL_SSL"),
                        Map.entry("alertmanager.url", "https://******@am:9093"));
    }
}
