package io.flinkwatch.job.detection;

import io.flinkwatch.job.analytics.job.JobHealthRule;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.FlinkwatchParameters;
import io.flinkwatch.job.config.InvalidParameterException;
import io.flinkwatch.job.detection.rules.JobNotRunning;
import io.flinkwatch.job.detection.rules.MetricsAbsent;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import javax.annotation.Nullable;

/**
 * The alerts this deployment evaluates, built from the job parameters: every rule with its
 * thresholds and durations, minus those turned off with {@code --rules.disabled}.
 */
public final class AlertCatalog implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<String, Rule> rules;

    private AlertCatalog(Map<String, Rule> rules) {
        this.rules = rules;
    }

    public static AlertCatalog from(FlinkwatchConfig config) {
        List<Rule> all = new ArrayList<>();
        all.add(new JobNotRunning(config.get(FlinkwatchParameters.JOB_NOT_RUNNING_FOR)));
        all.add(new MetricsAbsent(config.get(FlinkwatchParameters.METRICS_ABSENT_AFTER)));

        Map<String, Rule> byName = new LinkedHashMap<>();
        for (Rule rule : all) {
            byName.put(rule.name(), rule);
        }
        for (String disabled : config.get(FlinkwatchParameters.DISABLED_RULES)) {
            if (byName.remove(disabled) == null) {
                throw new InvalidParameterException(
                        "Invalid value '"
                                + disabled
                                + "' in job parameter --"
                                + FlinkwatchParameters.DISABLED_RULES.name()
                                + ": expected alert names from "
                                + new TreeSet<>(all.stream().map(Rule::name).toList())
                                + ".");
            }
        }
        return new AlertCatalog(byName);
    }

    /** All enabled rules. */
    public List<Rule> rules() {
        return List.copyOf(rules.values());
    }

    /** The enabled rule with that name, or null. */
    @Nullable
    public Rule rule(String name) {
        return rules.get(name);
    }

    /** Enabled rules whose sustained condition is detected by a CEP pattern. */
    public List<Rule> sustainedRules() {
        return rules.values().stream().filter(rule -> !(rule instanceof MetricsAbsent)).toList();
    }

    public List<JobHealthRule> jobHealthRules() {
        return ofType(JobHealthRule.class);
    }

    public Optional<MetricsAbsent> metricsAbsent() {
        return rules.values().stream()
                .filter(MetricsAbsent.class::isInstance)
                .map(MetricsAbsent.class::cast)
                .findFirst();
    }

    private <T> List<T> ofType(Class<T> type) {
        return rules.values().stream().filter(type::isInstance).map(type::cast).toList();
    }
}
