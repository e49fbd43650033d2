package io.flinkwatch.alerts.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class UrlRedactionTest {

    @Test
    void theUserInformationOfAUrlIsMasked() {
        assertThat(UrlRedaction.redact(URI.create("https://flinkwatch:s3cret@am.example:9093/x")))
                .isEqualTo("https://******@am.example:9093/x");
        // A user name alone may be a token.
        assertThat(UrlRedaction.redact(URI.create("http://tok3n@am.example")))
                .isEqualTo("http://******@am.example");
        // Percent-encoded credentials are masked as a whole.
        assertThat(UrlRedaction.redact("https://u%40x:p%3Aw@127.0.0.1:1/"))
                .isEqualTo("https://******@127.0.0.1:1/");
        // An unencoded "@" in the password leaves nothing of it behind.
        assertThat(UrlRedaction.redact("https://u:p@ss@127.0.0.1:1/"))
                .isEqualTo("https://******@127.0.0.1:1/");
    }

    @Test
    void aUrlWithoutCredentialsIsUnchanged() {
        assertThat(UrlRedaction.redact(URI.create("https://am.example:9093/api/v2/alerts?a=b@c")))
                .isEqualTo("https://am.example:9093/api/v2/alerts?a=b@c");
        assertThat(UrlRedaction.redact("http://127.0.0.1:9093/path/with@sign"))
                .isEqualTo("http://127.0.0.1:9093/path/with@sign");
    }

    @Test
    void everyUrlInAMessageIsMasked() {
        assertThat(
                        UrlRedaction.redact(
                                "Invalid value 'https://a:b@one' and {url=http://c:d@two:1/}; mail x@y"))
                .isEqualTo(
                        "Invalid value 'https://******@one' and {url=http://******@two:1/}; mail x@y");
    }

    @Test
    void tellsWhetherAUrlCarriesCredentials() {
        assertThat(UrlRedaction.hasUserInfo(URI.create("https://a:b@host"))).isTrue();
        assertThat(UrlRedaction.hasUserInfo(URI.create("https://host/a@b"))).isFalse();
    }
}
