package io.flinkwatch.job.detection.restart;

import io.flinkwatch.job.detection.ForgetfulCepOperator;
import io.flinkwatch.job.detection.rules.JobRestartLoop;
import io.flinkwatch.job.lifecycle.AlertSignal;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's CEP operator running the {@link RestartLoopPattern}, keyed by FlinkJobRestartLoop
 * instance, which forgets a key once its last partial match has outlived {@code within} ({@link
 * ForgetfulCepOperator}): a job that stopped restarting holds no CEP state.
 */
public final class RestartLoopOperator extends ForgetfulCepOperator<JobRestart, AlertSignal> {

    private static final long serialVersionUID = 1L;

    public RestartLoopOperator(TypeSerializer<JobRestart> inputSerializer, JobRestartLoop rule) {
        // Restarts are emitted ahead of the watermark by their upstream, never late.
        super(
                inputSerializer,
                RestartLoopPattern.pattern(rule),
                new RestartLoopMatchFunction(),
                null);
    }
}
