package io.flinkwatch.testing.bench;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.testing.scenario.IncidentKind;
import io.flinkwatch.testing.scenario.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The monitored fleet of one benchmark scale: enough simulated Source → Map → Sink jobs
 * (parallelism 2) for the requested number of series. A series is one metric of one scope (the job,
 * or one subtask of a vertex) of one job, as Prometheus would count it.
 */
final class Fleet {

    /** Evaluation grid of the job and reporting interval of the simulated publishers. */
    static final Duration STEP = Duration.ofSeconds(15);

    final int jobs;
    final int seriesPerJob;
    final int snapshotsPerJob;

    private Fleet(int jobs, int seriesPerJob, int snapshotsPerJob) {
        this.jobs = jobs;
        this.seriesPerJob = seriesPerJob;
        this.snapshotsPerJob = snapshotsPerJob;
    }

    /** The smallest fleet with at least {@code series} series. */
    static Fleet withSeries(long series) {
        List<MetricSnapshot> probe = new ArrayList<>();
        Scenario one = builder(1, "probe").length(STEP).build();
        one.forEachStep(probe::addAll);
        int seriesPerJob = probe.stream().mapToInt(s -> s.metrics().size()).sum();
        int jobs = (int) Math.max(1, (series + seriesPerJob - 1) / seriesPerJob);
        return new Fleet(jobs, seriesPerJob, probe.size());
    }

    long series() {
        return (long) jobs * seriesPerJob;
    }

    long snapshotsPerStep() {
        return (long) jobs * snapshotsPerJob;
    }

    static String jobName(String prefix, int index) {
        return String.format("%s-%06d", prefix, index);
    }

    /** Healthy traffic every 15 s. */
    Scenario steady(String prefix, Instant start, int steps) {
        return builder(jobs, prefix, start).length(STEP.multipliedBy(steps)).build();
    }

    /**
     * Healthy traffic, except that {@code outages} jobs go down (status not RUNNING, uptime 0) at
     * staggered steps from {@code firstOutageStep} on, so that their FlinkJobNotRunning alerts
     * complete at different moments.
     */
    Scenario withOutages(
            String prefix,
            Instant start,
            int steps,
            int outages,
            int firstOutageStep,
            int stagger) {
        Scenario.Builder builder = builder(jobs, prefix, start).length(STEP.multipliedBy(steps));
        for (int i = 0; i < outages; i++) {
            int job = (int) ((long) i * jobs / outages);
            Duration from = STEP.multipliedBy(firstOutageStep + (i % stagger));
            builder.incident(
                    jobName(prefix, job), IncidentKind.OUTAGE, from, STEP.multipliedBy(steps + 1));
        }
        return builder.build();
    }

    private static Scenario.Builder builder(int jobs, String prefix) {
        return builder(jobs, prefix, Scenario.DEFAULT_START);
    }

    private static Scenario.Builder builder(int jobs, String prefix, Instant start) {
        Scenario.Builder builder = Scenario.starting(start).step(STEP);
        for (int i = 0; i < jobs; i++) {
            builder.job(jobName(prefix, i));
        }
        return builder;
    }

    /**
     * Offsets that fill a week of hourly baseline cheaply: two samples 15 s apart in each of {@code
     * hours} hours, then {@code tailSteps} ordinary steps so that windows, trends and pending
     * timers are in their steady state.
     */
    static List<Duration> historyOffsets(int hours, int tailSteps) {
        List<Duration> offsets = new ArrayList<>();
        for (int hour = 0; hour < hours; hour++) {
            offsets.add(Duration.ofHours(hour));
            offsets.add(Duration.ofHours(hour).plus(STEP));
        }
        Duration tail = Duration.ofHours(hours);
        for (int step = 0; step < tailSteps; step++) {
            offsets.add(tail.plus(STEP.multipliedBy(step)));
        }
        return offsets;
    }

    /** The largest step between consecutive offsets: how far a job's clock jumps at once. */
    static Duration largestJump(List<Duration> offsets) {
        Duration largest = Duration.ZERO;
        for (int i = 1; i < offsets.size(); i++) {
            Duration jump = offsets.get(i).minus(offsets.get(i - 1));
            if (jump.compareTo(largest) > 0) {
                largest = jump;
            }
        }
        return largest;
    }
}
