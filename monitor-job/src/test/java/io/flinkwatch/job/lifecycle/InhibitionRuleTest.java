package io.flinkwatch.job.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.InvalidParameterException;
import io.flinkwatch.job.detection.AlertCatalog;
import io.flinkwatch.job.detection.Rule;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    void theDefaultLetsARestartLoopSilenceNotRunningOfTheSameJobIdOnly() {
        List<InhibitionRule> rules = InhibitionRule.parseAll(InhibitionRule.DEFAULT);
        Map<String, String> run = Map.of("cluster", "prod", "job_name", "orders", "job_id", "a");
        Map<String, String> otherRun =
                Map.of("cluster", "prod", "job_name", "orders", "job_id", "b");

        assertThat(inhibits(rules, "FlinkJobRestartLoop", run, "FlinkJobNotRunning", run)).isTrue();
        assertThat(inhibits(rules, "FlinkJobRestartLoop", run, "FlinkJobNotRunning", otherRun))
                .isFalse();
        assertThat(inhibits(rules, "FlinkJobNotRunning", run, "FlinkJobRestartLoop", run))
                .isFalse();
    }

    @Test
    void theDefaultHasNoInhibitionCycleAmongTheCatalogsAlerts() {
        List<InhibitionRule> rules = InhibitionRule.parseAll(InhibitionRule.DEFAULT);
        List<String> names =
                AlertCatalog.from(FlinkwatchConfig.defaults()).rules().stream()
                        .map(Rule::name)
                        .toList();
        assertThat(names).contains("FlinkJobRestartLoop");
        // Depth-first search for an alert that inhibits, step by step, itself.
        for (String start : names) {
            Deque<String> todo = new ArrayDeque<>(List.of(start));
            Set<String> reached = new HashSet<>();
            while (!todo.isEmpty()) {
                String source = todo.pop();
                for (String target : names) {
                    if (!target.equals(source)
                            && inhibits(rules, source, ORDERS, target, ORDERS)
                            && reached.add(target)) {
                        todo.push(target);
                    }
                }
            }
            assertThat(reached).as("alerts %s inhibits, step by step", start).doesNotContain(start);
        }
    }

    private static boolean inhibits(
            List<InhibitionRule> rules,
            String source,
            Map<String, String> sourceLabels,
            String target,
            Map<String, String> targetLabels) {
        return rules.stream()
                .anyMatch(rule -> rule.inhibits(source, sourceLabels, target, targetLabels));
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
