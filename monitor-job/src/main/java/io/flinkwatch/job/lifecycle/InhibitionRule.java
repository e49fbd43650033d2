package io.flinkwatch.job.lifecycle;

import io.flinkwatch.alerts.event.AlertLabels;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One inhibition rule, as Alertmanager's {@code inhibit_rules}: while an alert whose name matches
 * {@code source} fires, alerts whose name matches {@code target} and that have the same values for
 * the {@code equal} labels are suppressed. Matchers are regular expressions anchored at both ends,
 * as in Alertmanager; an alert never inhibits itself.
 *
 * <p>Written as {@code SOURCE -> TARGET on LABEL,LABEL}, rules separated by {@code ;}. The default,
 * the article's rule: {@value #DEFAULT}.
 */
public record InhibitionRule(Pattern source, Pattern target, List<String> equal)
        implements Serializable {

    /**
     * The article's inhibition: a job that is down silences its own checkpoint, throughput and lag
     * alerts. And a job whose snapshots are rejected for its clock is not silent: its clock alert
     * silences its FlinkMetricsAbsent. A job in a restart loop pages once: the loop silences its
     * FlinkJobNotRunning, for the same job id only (never a resubmission's or a namesake's), and
     * nothing silences the loop, so there is no cycle.
     */
    public static final String DEFAULT =
            "FlinkJobNotRunning -> FlinkCheckpoint.*|FlinkThroughput.*|FlinkLag.* on cluster,job_name;"
                    + " FlinkwatchClockSkew -> FlinkMetricsAbsent on cluster,job_name;"
                    + " FlinkJobRestartLoop -> FlinkJobNotRunning on cluster,job_name,job_id";

    static final String SYNTAX =
            "inhibition rules written as 'SOURCE -> TARGET on LABEL,...' separated by ';', where SOURCE"
                    + " and TARGET are regular expressions for alert names and the labels include "
                    + AlertLabels.JOB_NAME
                    + " (alerts are inhibited within one monitored job), or empty for none";

    public InhibitionRule {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        equal = List.copyOf(equal);
    }

    /** Whether the firing alert {@code source} inhibits the alert {@code target}. */
    public boolean inhibits(
            String sourceName,
            Map<String, String> sourceLabels,
            String targetName,
            Map<String, String> targetLabels) {
        if (!source.matcher(sourceName).matches() || !target.matcher(targetName).matches()) {
            return false;
        }
        for (String label : equal) {
            if (!sourceLabels
                    .getOrDefault(label, "")
                    .equals(targetLabels.getOrDefault(label, ""))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads rules in the form described in the class comment.
     *
     * @throws IllegalArgumentException naming what is allowed, when the text is not such rules
     */
    public static List<InhibitionRule> parseAll(String text) {
        List<InhibitionRule> rules = new ArrayList<>();
        for (String ruleText : text.split(";")) {
            if (!ruleText.isBlank()) {
                rules.add(parse(ruleText.trim()));
            }
        }
        return List.copyOf(rules);
    }

    private static InhibitionRule parse(String text) {
        int arrow = text.indexOf("->");
        int on = text.lastIndexOf(" on ");
        if (arrow < 0 || on < arrow) {
            throw new IllegalArgumentException(SYNTAX);
        }
        String source = text.substring(0, arrow).trim();
        String target = text.substring(arrow + 2, on).trim();
        List<String> equal =
                Arrays.stream(text.substring(on + 4).split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
        if (source.isEmpty() || target.isEmpty() || !equal.contains(AlertLabels.JOB_NAME)) {
            throw new IllegalArgumentException(SYNTAX);
        }
        try {
            return new InhibitionRule(Pattern.compile(source), Pattern.compile(target), equal);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    SYNTAX + " ('" + e.getPattern() + "' is not a regular expression)");
        }
    }

    @Override
    public String toString() {
        return source.pattern() + " -> " + target.pattern() + " on " + String.join(",", equal);
    }

    // Pattern has identity equality; rules are equal when they read the same.
    @Override
    public boolean equals(Object other) {
        return other instanceof InhibitionRule rule && toString().equals(rule.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
