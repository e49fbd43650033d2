package io.flinkwatch.job.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.InvalidParameterException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InhibitionRuleTest {

    private static final Map<String, String> ORDERS =
            Map.of("cluster", "prod", "job_name", "orders");

    @Test
    void theDefaultIsTheArticlesRule() {
        InhibitionRule rule = InhibitionRule.parseAll(InhibitionRule.DEFAULT).get(0);

        assertThat(rule.inhibits("FlinkJobNotRunning", ORDERS, "FlinkCheckpointFailures", ORDERS))
                .isTrue();
        assertThat(rule.inhibits("FlinkJobNotRunning", ORDERS, "FlinkThroughputDrop", ORDERS))
                .isTrue();
        assertThat(rule.inhibits("FlinkJobNotRunning", ORDERS, "FlinkLagGrowing", ORDERS)).isTrue();
        assertThat(rule.inhibits("FlinkJobNotRunning", ORDERS, "FlinkHighBackpressure", ORDERS))
                .isFalse();
        assertThat(rule.inhibits("FlinkJobNotRunning", ORDERS, "FlinkCommitLagGrowing", ORDERS))
                .as("anchored")
                .isFalse();
        assertThat(rule.inhibits("FlinkMetricsAbsent", ORDERS, "FlinkLagGrowing", ORDERS))
                .isFalse();
        assertThat(
                        rule.inhibits(
                                "FlinkJobNotRunning",
                                ORDERS,
                                "FlinkLagGrowing",
                                Map.of("cluster", "dr", "job_name", "orders")))
                .isFalse();
    }

    @Test
    void severalRulesAndNone() {
        List<InhibitionRule> rules =
                InhibitionRule.parseAll(
                        "FlinkJobNotRunning -> FlinkLag.* on job_name; FlinkMetricsAbsent->Flink.* on cluster,job_name");

        assertThat(rules).hasSize(2);
        assertThat(
                        rules.get(1)
                                .inhibits(
                                        "FlinkMetricsAbsent",
                                        ORDERS,
                                        "FlinkStateSizeGrowing",
                                        ORDERS))
                .isTrue();
        assertThat(InhibitionRule.parseAll("")).isEmpty();
        assertThat(rules.get(0))
                .isEqualTo(
                        InhibitionRule.parseAll("FlinkJobNotRunning -> FlinkLag.* on job_name")
                                .get(0));
    }

    @Test
    void invalidRulesFailAtStartNamingTheParameter() {
        for (String invalid :
                List.of(
                        "FlinkJobNotRunning",
                        "A -> B on cluster",
                        "A -> (B on job_name",
                        " -> B on job_name")) {
            assertThatThrownBy(
                            () -> FlinkwatchConfig.fromArgs("--lifecycle.inhibit-rules", invalid))
                    .isInstanceOf(InvalidParameterException.class)
                    .hasMessageContaining("--lifecycle.inhibit-rules")
                    .hasMessageContaining(invalid.trim())
                    .hasMessageContaining("SOURCE -> TARGET on LABEL");
        }
    }
}
