package io.flinkwatch.testing.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkwatch.job.metrics.FlinkwatchMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/grafana/flinkwatch.json}: it parses, every query names only metrics that Flink or
 * Flinkwatch really exports (Flink's from {@link FlinkPrometheusNames}, checked against a real
 * scrape by {@code OwnHealthMetricsITCase}; Flinkwatch's from {@link FlinkwatchMetrics#ALL}, so a
 * renamed metric fails here), and every panel reads a Prometheus datasource chosen through the
 * {@code DS_PROMETHEUS} template variable. {@code docs/deployment.md} names every Flinkwatch
 * metric.
 */
class GrafanaDashboardTest {

    static final Path DASHBOARD = Path.of("..", "docs", "grafana", "flinkwatch.json");
    static final Path DEPLOYMENT = Path.of("..", "docs", "deployment.md");

    /** A Prometheus metric name of Flink's (every one starts with its scope, {@code flink_}). */
    private static final Pattern METRIC = Pattern.compile("\\bflink_[a-zA-Z0-9_:]+");

    private static JsonNode dashboard;

    @BeforeAll
    static void parse() throws Exception {
        dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    }

    @Test
    void hasTheArticlesRowsAndOneForFlinkwatch() {
        List<String> rows = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                rows.add(panel.path("title").asText());
            }
        }
        assertThat(rows)
                .containsExactly(
                        "Throughput",
                        "Checkpoints",
                        "State size",
                        "Backpressure and lag",
                        "Flinkwatch itself");
    }

    @Test
    void everyQueryNamesOnlyMetricsThatAreReallyExported() {
        Set<String> known = new TreeSet<>(FlinkPrometheusNames.declared());
        FlinkwatchMetrics.ALL.forEach(metric -> known.add(metric.prometheusName()));
        List<String> queries = queries();
        assertThat(queries).hasSizeGreaterThan(20);
        for (String query : queries) {
            Set<String> named = metricsIn(query);
            assertThat(named).as("metrics in %s", query).isNotEmpty();
            assertThat(known).as("metrics in %s", query).containsAll(named);
        }
    }

    @Test
    void everyFlinkwatchMetricIsOnTheDashboard() {
        Set<String> used =
                queries().stream()
                        .flatMap(query -> metricsIn(query).stream())
                        .collect(Collectors.toSet());
        assertThat(used)
                .containsAll(
                        FlinkwatchMetrics.ALL.stream()
                                .map(FlinkwatchMetrics.Exported::prometheusName)
                                .toList());
    }

    @Test
    void theDatasourceIsATemplateVariable() {
        JsonNode variable = null;
        for (JsonNode candidate : dashboard.path("templating").path("list")) {
            if (candidate.path("name").asText().equals("DS_PROMETHEUS")) {
                variable = candidate;
            }
        }
        assertThat(variable).as("templating variable DS_PROMETHEUS").isNotNull();
        assertThat(variable.path("type").asText()).isEqualTo("datasource");
        assertThat(variable.path("query").asText()).isEqualTo("prometheus");

        List<JsonNode> readers = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (!panel.path("type").asText().equals("row")) {
                readers.add(panel);
                panel.path("targets").forEach(readers::add);
            }
        }
        for (JsonNode variableQuery : dashboard.path("templating").path("list")) {
            if (variableQuery.path("type").asText().equals("query")) {
                readers.add(variableQuery);
            }
        }
        for (JsonNode reader : readers) {
            assertThat(reader.path("datasource").path("uid").asText())
                    .as("datasource of %s", reader.path("title").asText(reader.toString()))
                    .isEqualTo("${DS_PROMETHEUS}");
            assertThat(reader.path("datasource").path("type").asText()).isEqualTo("prometheus");
        }
    }

    @Test
    void theDeploymentGuideNamesEveryFlinkwatchMetric() throws Exception {
        String guide = Files.readString(DEPLOYMENT);
        for (FlinkwatchMetrics.Exported metric : FlinkwatchMetrics.ALL) {
            assertThat(guide).as("docs/deployment.md").contains(metric.prometheusName());
        }
    }

    /** Every PromQL query: the panels' targets and the query variables'. */
    private static List<String> queries() {
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                queries.add(variable.path("query").path("query").asText());
            }
        }
        return queries;
    }

    private static Set<String> metricsIn(String query) {
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = METRIC.matcher(query);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }
}
