package io.flinkwatch.job.detection.rules;

import static io.flinkwatch.job.Snapshots.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.Snapshots;
import io.flinkwatch.job.analytics.job.JobHealthRule.EvaluationContext;
import io.flinkwatch.job.analytics.job.JobHealthState;
import io.flinkwatch.job.detection.RuleOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobNotRunningTest {

    private static final long LOOKBACK = seconds(300);
    private static final EvaluationContext CONTEXT = new EvaluationContext(LOOKBACK, seconds(120));
    private final JobNotRunning rule = new JobNotRunning(Duration.ofMinutes(2));

    @Test
    void uptimeZeroWithoutAStatusIsNotRunning() {
        List<RuleOutcome> holding =
                evaluate(Snapshots.job("orders").at(seconds(10)).metric("uptime", 0));

        assertThat(holding).hasSize(1);
        assertThat(holding.get(0).labels())
                .containsEntry("alertname", "FlinkJobNotRunning")
                .containsEntry("severity", "critical")
                .containsEntry("cluster", "prod")
                .containsEntry("job_name", "orders")
                .doesNotContainKey("job_id");
        assertThat(holding.get(0).evidence().values()).containsEntry("uptimeMs", 0.0);
    }

    @Test
    void flinkTwosRunningTimeStandsInForUptime() {
        assertThat(evaluate(Snapshots.job("orders").at(seconds(10)).metric("runningTime", 0)))
                .hasSize(1);
        assertThat(evaluate(Snapshots.job("orders").at(seconds(10)).metric("runningTime", 5)))
                .isEmpty();
    }

    @Test
    void aReportedStatusDecides() {
        assertThat(
                        evaluate(
                                Snapshots.job("o")
                                        .at(seconds(10))
                                        .status("RESTARTING")
                                        .metric("uptime", 0)))
                .hasSize(1);
        assertThat(
                        evaluate(
                                Snapshots.job("o")
                                        .at(seconds(10))
                                        .status("FAILING")
                                        .metric("uptime", 9000)))
                .hasSize(1);
        // Just (re)started: RUNNING with an uptime of 0 is running.
        assertThat(
                        evaluate(
                                Snapshots.job("o")
                                        .at(seconds(10))
                                        .status("RUNNING")
                                        .metric("uptime", 0)))
                .isEmpty();
    }

    @Test
    void aJobEndedOnPurposeIsNotAnIncident() {
        assertThat(
                        evaluate(
                                Snapshots.job("o")
                                        .at(seconds(10))
                                        .status("CANCELED")
                                        .metric("uptime", 0)))
                .isEmpty();
        assertThat(
                        evaluate(
                                Snapshots.job("o")
                                        .at(seconds(10))
                                        .status("FINISHED")
                                        .metric("uptime", -1)))
                .isEmpty();
    }

    @Test
    void aStaleOrMissingSampleSaysNothing() {
        JobHealthState job = new JobHealthState();
        job.absorb(Snapshots.job("o").at(seconds(10)).metric("uptime", 0).build());
        List<RuleOutcome> holding = new ArrayList<>();

        rule.evaluate(job, seconds(10) + LOOKBACK, CONTEXT, holding);
        rule.evaluate(job, seconds(5), CONTEXT, holding);

        assertThat(holding).isEmpty();
    }

    private List<RuleOutcome> evaluate(Snapshots snapshot) {
        JobHealthState job = new JobHealthState();
        job.absorb(snapshot.build());
        List<RuleOutcome> holding = new ArrayList<>();
        rule.evaluate(job, seconds(15), CONTEXT, holding);
        return holding;
    }
}
