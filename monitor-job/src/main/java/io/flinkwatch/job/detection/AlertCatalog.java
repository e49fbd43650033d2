package io.flinkwatch.job.detection;

import static io.flinkwatch.job.config.FlinkwatchParameters.*;

import io.flinkwatch.job.analytics.flow.TaskFlowRule;
import io.flinkwatch.job.analytics.job.JobHealthRule;
import io.flinkwatch.job.analytics.operator.OperatorRule;
import io.flinkwatch.job.config.FlinkwatchConfig;
import io.flinkwatch.job.config.InvalidParameterException;
import io.flinkwatch.job.config.Parameter;
import io.flinkwatch.job.config.ThroughputScope;
import io.flinkwatch.job.detection.rules.CheckpointAlignmentHigh;
import io.flinkwatch.job.detection.rules.CheckpointDurationExceedsInterval;
import io.flinkwatch.job.detection.rules.CheckpointDurationIncreasing;
import io.flinkwatch.job.detection.rules.CheckpointFailures;
import io.flinkwatch.job.detection.rules.ClockSkew;
import io.flinkwatch.job.detection.rules.ClusterMetricsAbsent;
import io.flinkwatch.job.detection.rules.CommitLagGrowing;
import io.flinkwatch.job.detection.rules.HighBackpressure;
import io.flinkwatch.job.detection.rules.InputSilent;
import io.flinkwatch.job.detection.rules.JobNotRunning;
import io.flinkwatch.job.detection.rules.JobRestartLoop;
import io.flinkwatch.job.detection.rules.LagGrowing;
import io.flinkwatch.job.detection.rules.MetricsAbsent;
import io.flinkwatch.job.detection.rules.NoRecentCheckpoint;
import io.flinkwatch.job.detection.rules.RocksDbCompactionPending;
import io.flinkwatch.job.detection.rules.StateSizeGrowing;
import io.flinkwatch.job.detection.rules.SubtaskStalled;
import io.flinkwatch.job.detection.rules.ThroughputDrop;
import io.flinkwatch.job.detection.rules.TrendCriterion;
import io.flinkwatch.job.detection.rules.TrendMode;
import java.io.Serializable;
import java.time.Duration;
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

    /** The rules turned off, kept to resolve the alerts they left firing before a restart. */
    private final Map<String, Rule> disabled;

    private AlertCatalog(Map<String, Rule> rules, Map<String, Rule> disabled) {
        this.rules = rules;
        this.disabled = disabled;
    }

    public static AlertCatalog from(FlinkwatchConfig config) {
        List<Rule> all = new ArrayList<>();
        all.add(new JobNotRunning(config.get(JOB_NOT_RUNNING_FOR)));
        all.add(
                new JobRestartLoop(
                        config.get(RESTART_LOOP_RESTARTS), config.get(RESTART_LOOP_WITHIN)));
        all.add(new MetricsAbsent(config.get(METRICS_ABSENT_AFTER)));
        all.add(new InputSilent(config.get(INPUT_SILENT_MIN_JOBS)));
        all.add(new ClusterMetricsAbsent());
        all.add(new ClockSkew(config.get(CLOCK_SKEW_CLEAR_AFTER)));
        all.add(
                new CheckpointFailures(
                        config.get(CHECKPOINT_FAILURES_RANGE),
                        config.get(CHECKPOINT_FAILURES_FOR)));
        all.add(
                new LagGrowing(
                        config.get(LAG_GROWING_RANGE),
                        config.get(LAG_GROWING_MIN_SLOPE),
                        config.get(LAG_GROWING_FOR),
                        trend(config, LAG_GROWING_MODE),
                        config.get(LAG_GROWING_MIN_LAG)));
        all.add(
                new CheckpointDurationIncreasing(
                        config.get(CHECKPOINT_DURATION_RANGE),
                        config.get(CHECKPOINT_DURATION_FOR),
                        config.get(CHECKPOINT_DURATION_MIN_SLOPE),
                        trend(config, CHECKPOINT_DURATION_MODE)));
        all.add(
                new HighBackpressure(
                        config.get(BUSY_THRESHOLD),
                        config.get(BACKPRESSURED_THRESHOLD),
                        config.get(HIGH_BACKPRESSURE_FOR)));
        all.add(
                new StateSizeGrowing(
                        config.get(STATE_SIZE_RANGE),
                        config.get(STATE_SIZE_FOR),
                        config.get(STATE_SIZE_THRESHOLD),
                        trend(config, STATE_SIZE_MODE)));
        all.add(
                new ThroughputDrop(
                        config.get(THROUGHPUT_DROP_RATIO),
                        config.get(THROUGHPUT_MIN_BASELINE),
                        config.get(THROUGHPUT_VERTICES) == ThroughputScope.SOURCES,
                        config.get(THROUGHPUT_DROP_FOR)));
        all.add(
                new NoRecentCheckpoint(
                        config.get(NO_RECENT_CHECKPOINT_MULTIPLE),
                        config.get(NO_RECENT_CHECKPOINT_FALLBACK),
                        Duration.ZERO));
        all.add(new CheckpointDurationExceedsInterval(config.get(DURATION_EXCEEDS_INTERVAL_FOR)));
        all.add(
                new CheckpointAlignmentHigh(
                        config.get(ALIGNMENT_SHARE),
                        config.get(ALIGNMENT_MIN),
                        config.get(ALIGNMENT_FOR)));
        all.add(
                new SubtaskStalled(
                        config.get(STALLED_MAX_RATE),
                        config.get(STALLED_MIN_PEER_RATE),
                        config.get(STALLED_FOR)));
        all.add(
                new RocksDbCompactionPending(
                        config.get(COMPACTION_THRESHOLD), config.get(COMPACTION_FOR)));
        all.add(
                new CommitLagGrowing(
                        config.get(COMMIT_LAG_RANGE),
                        config.get(COMMIT_LAG_MIN_SLOPE),
                        config.get(COMMIT_LAG_MIN_UNCOMMITTED),
                        config.get(COMMIT_LAG_FOR),
                        trend(config, COMMIT_LAG_MODE)));

        Map<String, Rule> byName = new LinkedHashMap<>();
        for (Rule rule : all) {
            byName.put(rule.name(), rule);
        }
        Map<String, Rule> disabledByName = new LinkedHashMap<>();
        for (String disabled : config.get(DISABLED_RULES)) {
            Rule rule = byName.remove(disabled);
            if (rule != null) {
                disabledByName.put(disabled, rule);
            } else if (!disabledByName.containsKey(disabled)) {
                throw new InvalidParameterException(
                        "Invalid value '"
                                + disabled
                                + "' in job parameter --"
                                + DISABLED_RULES.name()
                                + ": expected alert names from "
                                + new TreeSet<>(all.stream().map(Rule::name).toList())
                                + ".");
            }
        }
        return new AlertCatalog(byName, disabledByName);
    }

    private static TrendCriterion trend(FlinkwatchConfig config, Parameter<TrendMode> mode) {
        return new TrendCriterion(config.get(mode), config.get(TREND_NOISE_WIDTHS));
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

    /**
     * The rule with that name if it is turned off with {@code --rules.disabled}, or null: its
     * alerts that fired before are resolved, saying so.
     */
    @Nullable
    public Rule disabledRule(String name) {
        return disabled.get(name);
    }

    /** Enabled rules whose sustained condition is detected by a CEP pattern. */
    public List<Rule> sustainedRules() {
        return rules.values().stream()
                .filter(
                        rule ->
                                !(rule instanceof MetricsAbsent
                                        || rule instanceof InputSilent
                                        || rule instanceof ClusterMetricsAbsent
                                        || rule instanceof ClockSkew
                                        || rule instanceof JobRestartLoop))
                .toList();
    }

    public List<JobHealthRule> jobHealthRules() {
        return ofType(JobHealthRule.class);
    }

    public List<TaskFlowRule> taskFlowRules() {
        return ofType(TaskFlowRule.class);
    }

    public List<OperatorRule> operatorRules() {
        return ofType(OperatorRule.class);
    }

    public Optional<MetricsAbsent> metricsAbsent() {
        return rules.values().stream()
                .filter(MetricsAbsent.class::isInstance)
                .map(MetricsAbsent.class::cast)
                .findFirst();
    }

    /** FlinkwatchInputSilent, decided with FlinkMetricsAbsent, when enabled. */
    public Optional<InputSilent> inputSilent() {
        return rules.values().stream()
                .filter(InputSilent.class::isInstance)
                .map(InputSilent.class::cast)
                .findFirst();
    }

    /** FlinkClusterMetricsAbsent, decided with FlinkMetricsAbsent, when enabled. */
    public Optional<ClusterMetricsAbsent> clusterMetricsAbsent() {
        return rules.values().stream()
                .filter(ClusterMetricsAbsent.class::isInstance)
                .map(ClusterMetricsAbsent.class::cast)
                .findFirst();
    }

    /** FlinkJobRestartLoop, detected by its own CEP sequence pattern, when enabled. */
    public Optional<JobRestartLoop> restartLoop() {
        return ofType(JobRestartLoop.class).stream().findFirst();
    }

    public Optional<ClockSkew> clockSkew() {
        return rules.values().stream()
                .filter(ClockSkew.class::isInstance)
                .map(ClockSkew.class::cast)
                .findFirst();
    }

    private <T> List<T> ofType(Class<T> type) {
        return rules.values().stream().filter(type::isInstance).map(type::cast).toList();
    }
}
