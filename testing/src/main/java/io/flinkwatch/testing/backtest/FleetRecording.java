package io.flinkwatch.testing.backtest;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.SnapshotWriter;
import io.flinkwatch.testing.scenario.IncidentKind;
import io.flinkwatch.testing.scenario.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a recording of a simulated fleet (the scenario generator's Source → Map → Sink jobs,
 * reporting every 15 s) with incidents spread over it: to try the backtest without production data,
 * and to measure it on large recordings ({@code docs/backtest.md}). Every 10th job has its sink
 * throttled for 40 minutes (backpressure, lag), every 25th restarts through a 5-minute outage
 * during that, every 40th fails its checkpoints for 20 minutes; start times are staggered.
 *
 * <pre>
 * java -cp testing-VERSION-backtest.jar io.flinkwatch.testing.backtest.FleetRecording \
 *     --jobs 1000 --hours 24 --out fleet.jsonl.gz
 * </pre>
 */
public final class FleetRecording {

    private static final Logger LOG = LoggerFactory.getLogger(FleetRecording.class);

    private FleetRecording() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = BacktestCommand.pairs(args, 0);
        int jobs = Integer.parseInt(options.getOrDefault("jobs", "100"));
        double hours = Double.parseDouble(options.getOrDefault("hours", "1"));
        Path out = Path.of(options.getOrDefault("out", "fleet.jsonl.gz"));
        long written = write(jobs, Duration.ofMinutes(Math.round(hours * 60)), out);
        System.out.println("Wrote " + written + " snapshots of " + jobs + " jobs to " + out);
    }

    /** Writes the fleet's snapshots, step by step; returns how many. */
    public static long write(int jobs, Duration length, Path out) throws IOException {
        Scenario.Builder builder =
                Scenario.starting(Scenario.DEFAULT_START)
                        .step(Duration.ofSeconds(15))
                        .length(length);
        long minutes = length.toMinutes();
        for (int i = 0; i < jobs; i++) {
            String name = String.format(Locale.ROOT, "job-%05d", i);
            builder.job(name);
            // Incidents start between 10 minutes in and 60 minutes before the end, staggered.
            long span = Math.max(1, minutes - 70);
            long start = 10 + (i * 37L) % span;
            if (i % 10 == 3) {
                builder.incident(
                        name,
                        IncidentKind.SINK_THROTTLED,
                        Duration.ofMinutes(start),
                        Duration.ofMinutes(start + 40),
                        0.6);
            }
            if (i % 25 == 3) {
                builder.incident(
                        name,
                        IncidentKind.OUTAGE,
                        Duration.ofMinutes(start + 20),
                        Duration.ofMinutes(start + 25));
            }
            if (i % 40 == 7) {
                builder.incident(
                        name,
                        IncidentKind.CHECKPOINT_FAILURES,
                        Duration.ofMinutes(start),
                        Duration.ofMinutes(start + 20));
            }
        }
        Scenario scenario = builder.build();
        long[] written = {0};
        try (Recording.Writer writer = new Recording.Writer(out)) {
            scenario.forEachStep(
                    step -> {
                        for (MetricSnapshot snapshot : step) {
                            try {
                                writer.write(SnapshotWriter.toJson(snapshot));
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }
                        written[0] += step.size();
                        if (written[0] % 1_000_000 < step.size()) {
                            LOG.info("Wrote {} snapshots", written[0]);
                        }
                    });
        }
        return written[0];
    }
}
