package io.flinkwatch.job.detection.restart;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.job.detection.rules.JobRestartLoop;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns a match of {@link RestartLoopPattern} into the signal that fires FlinkJobRestartLoop, with
 * the restart times, the longest observed outage and the newest failure cause as evidence.
 */
public final class RestartLoopMatchFunction
        extends PatternProcessFunction<JobRestart, AlertSignal> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processMatch(
            Map<String, List<JobRestart>> match, Context context, Collector<AlertSignal> out) {
        out.collect(fire(match.get(RestartLoopPattern.RESTARTS)));
    }

    /** The FIRE signal for the restarts of a match (in event-time order). */
    static AlertSignal fire(List<JobRestart> restarts) {
        JobRestart first = restarts.get(0);
        JobRestart last = restarts.get(restarts.size() - 1);
        Evidence.Builder evidence =
                Evidence.builder()
                        .value("restarts", restarts.size())
                        .value("spanMs", last.timestamp() - first.timestamp())
                        .fact(
                                JobRestartLoop.RESTART_TIMES,
                                restarts.stream()
                                        .map(r -> Instant.ofEpochMilli(r.timestamp()).toString())
                                        .collect(Collectors.joining(", ")));
        long longestOutage = restarts.stream().mapToLong(JobRestart::outageMs).max().orElse(-1);
        if (longestOutage >= 0) {
            evidence.value("longestOutageMs", longestOutage);
        }
        for (int i = restarts.size() - 1; i >= 0; i--) {
            if (restarts.get(i).failureCause() != null) {
                evidence.fact(JobRestartLoop.FAILURE_CAUSE, restarts.get(i).failureCause());
                break;
            }
        }
        return new AlertSignal(
                AlertSignal.Kind.FIRE,
                JobRestartLoop.NAME,
                last.fingerprint(),
                last.timestamp(),
                first.timestamp(),
                last.labels(),
                last.jobId(),
                evidence.build(),
                false);
    }
}
