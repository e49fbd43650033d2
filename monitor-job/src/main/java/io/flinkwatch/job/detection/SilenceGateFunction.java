package io.flinkwatch.job.detection;

import io.flinkwatch.job.ingest.JobOrigin;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link SilenceGate} over the absence detector's signals and the jobs' origins, all under one
 * key ({@link #FLEET}): deciding whether jobs fell silent together needs the whole fleet in view.
 * Only FlinkMetricsAbsent's own transitions come here, so one subtask keeps up with any fleet.
 *
 * <p>A wall-clock signal (the input stopped and event time with it) is timed on the wall clock, any
 * other in event time, so that replays decide the same.
 */
public final class SilenceGateFunction
        extends KeyedCoProcessFunction<String, AlertSignal, JobOrigin, AlertSignal> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SilenceGateFunction.class);

    /** The one key everything is gathered under. */
    public static final String FLEET = "fleet";

    private final SilenceGate.Settings settings;

    private transient ValueState<SilenceGate> gate;

    public SilenceGateFunction(SilenceGate.Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        gate =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "silence-gate", TypeInformation.of(SilenceGate.class)));
    }

    @Override
    public void processElement1(AlertSignal signal, Context ctx, Collector<AlertSignal> out)
            throws Exception {
        boolean wallClock = signal.immediate();
        // In event time the window counts from when the gate learns of the silence: after a gap in
        // the input (Kafka was down), event time jumps past every job's deadline at once, and the
        // jobs' first snapshots after the gap must still get their window to show up.
        long now =
                wallClock
                        ? ctx.timerService().currentProcessingTime()
                        : Math.max(signal.timestamp(), ctx.timerService().currentWatermark());
        SilenceGate current = current();
        List<Long> deadlines = new ArrayList<>();
        for (AlertSignal emitted : current.accept(signal, now, wallClock, settings, deadlines)) {
            out.collect(emitted);
        }
        schedule(deadlines, wallClock, ctx.timerService());
        gate.update(current);
    }

    @Override
    public void processElement2(JobOrigin origin, Context ctx, Collector<AlertSignal> out)
            throws Exception {
        SilenceGate current = current();
        current.noteOrigin(origin.cluster(), origin.jobName(), origin.topic(), origin.partition());
        gate.update(current);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<AlertSignal> out)
            throws Exception {
        boolean wallClock = ctx.timeDomain() == TimeDomain.PROCESSING_TIME;
        SilenceGate current = current();
        List<AlertSignal> decided = current.decide(time, wallClock, settings);
        for (AlertSignal emitted : decided) {
            if (emitted.kind() == AlertSignal.Kind.FIRE
                    && !emitted.rule()
                            .equals(io.flinkwatch.job.detection.rules.MetricsAbsent.NAME)) {
                LOG.warn(
                        "{}: {} ({} clock)",
                        emitted.rule(),
                        emitted.evidence(),
                        wallClock ? "wall" : "event-time");
            }
            out.collect(emitted);
        }
        gate.update(current);
    }

    private void schedule(List<Long> deadlines, boolean wallClock, TimerService timers) {
        for (long deadline : deadlines) {
            if (wallClock) {
                timers.registerProcessingTimeTimer(deadline);
            } else {
                timers.registerEventTimeTimer(deadline);
            }
        }
    }

    private SilenceGate current() throws Exception {
        SilenceGate current = gate.value();
        return current == null ? new SilenceGate() : current;
    }
}
