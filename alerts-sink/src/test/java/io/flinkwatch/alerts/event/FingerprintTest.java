package io.flinkwatch.alerts.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FingerprintTest {

    @Test
    void theEmptyLabelSetHasPrometheusOffsetBasis() {
        // Prometheus' model.LabelSet{}.Fingerprint() is the FNV-1a 64 offset basis.
        assertThat(Fingerprint.of(Map.of())).isEqualTo("cbf29ce484222325");
    }

    @Test
    void dependsOnLabelsNotOnTheirOrder() {
        Map<String, String> forward = new LinkedHashMap<>();
        forward.put("alertname", "FlinkJobNotRunning");
        forward.put("job_name", "orders");
        Map<String, String> backward = new LinkedHashMap<>();
        backward.put("job_name", "orders");
        backward.put("alertname", "FlinkJobNotRunning");

        assertThat(Fingerprint.of(forward)).isEqualTo(Fingerprint.of(backward)).hasSize(16);
    }

    @Test
    void theSeparatorKeepsNamesAndValuesApart() {
        assertThat(Fingerprint.of(Map.of("a", "bc")))
                .isNotEqualTo(Fingerprint.of(Map.of("ab", "c")));
        assertThat(Fingerprint.of(Map.of("job_name", "orders")))
                .isNotEqualTo(Fingerprint.of(Map.of("job_name", "payments")));
    }
}
