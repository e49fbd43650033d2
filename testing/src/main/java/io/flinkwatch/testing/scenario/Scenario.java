package io.flinkwatch.testing.scenario;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A scripted stretch of monitored life: simulated jobs reporting every {@code step} from {@code
 * start} for {@code length}, with incidents at given offsets. The snapshots are a pure function of
 * the script.
 *
 * <pre>{@code
 * Scenario scenario = Scenario.starting(Instant.parse("2026-01-05T00:00:00Z"))
 *     .length(Duration.ofMinutes(40))
 *     .job("orders-cdc").job("payments-etl")
 *     .incident("orders-cdc", IncidentKind.OUTAGE, minutes(10), minutes(16))
 *     .build();
 * }</pre>
 */
public final class Scenario {

    /** A Monday at midnight UTC, far enough in the past for every plausibility check. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-05T00:00:00Z");

    public static final String DEFAULT_CLUSTER = "test-cluster";

    private final Instant start;
    private final Duration step;
    private final Duration length;
    private final List<SimulatedJob> jobs;
    private final List<Incident> incidents;

    private Scenario(
            Instant start,
            Duration step,
            Duration length,
            List<SimulatedJob> jobs,
            List<Incident> incidents) {
        this.start = start;
        this.step = step;
        this.length = length;
        this.jobs = jobs;
        this.incidents = incidents;
    }

    public static Builder starting(Instant start) {
        return new Builder(start);
    }

    public Instant start() {
        return start;
    }

    public Duration step() {
        return step;
    }

    public Duration length() {
        return length;
    }

    public Instant at(Duration sinceStart) {
        return start.plus(sinceStart);
    }

    public List<SimulatedJob> jobs() {
        return jobs;
    }

    /** Every snapshot of the scenario, in time order. */
    public List<MetricSnapshot> snapshots() {
        List<MetricSnapshot> all = new ArrayList<>();
        forEachStep(all::addAll);
        all.sort(Comparator.comparingLong(MetricSnapshot::timestamp));
        return all;
    }

    /** Hands over the snapshots of each step in turn (for publishing as time goes by). */
    public void forEachStep(Consumer<List<MetricSnapshot>> consumer) {
        List<Duration> offsets = new ArrayList<>();
        for (Duration offset = Duration.ZERO;
                offset.compareTo(length) < 0;
                offset = offset.plus(step)) {
            offsets.add(offset);
        }
        forEachStepAt(offsets, consumer);
    }

    /**
     * Hands over the snapshots at the given offsets from the start (increasing, not necessarily
     * evenly spaced: e.g. a few samples an hour to fill a week of history cheaply). Counters
     * advance by the real time between offsets.
     */
    public void forEachStepAt(Iterable<Duration> offsets, Consumer<List<MetricSnapshot>> consumer) {
        Map<String, List<Incident>> incidentsByJob = new HashMap<>();
        for (Incident incident : incidents) {
            incidentsByJob
                    .computeIfAbsent(incident.jobName(), name -> new ArrayList<>())
                    .add(incident);
        }
        for (Duration offset : offsets) {
            long time = start.plus(offset).toEpochMilli();
            List<MetricSnapshot> atStep = new ArrayList<>();
            for (SimulatedJob job : jobs) {
                atStep.addAll(
                        job.step(
                                time,
                                offset,
                                step,
                                incidentsByJob.getOrDefault(job.handle(), List.of())));
            }
            consumer.accept(atStep);
        }
    }

    public static Duration minutes(long minutes) {
        return Duration.ofMinutes(minutes);
    }

    /** Builds a scenario. */
    public static final class Builder {
        private final Instant start;
        private Duration step = Duration.ofSeconds(10);
        private Duration length = Duration.ofMinutes(30);
        private String cluster = DEFAULT_CLUSTER;
        private final List<SimulatedJob> jobs = new ArrayList<>();
        private final List<Incident> incidents = new ArrayList<>();

        private Builder(Instant start) {
            this.start = start;
        }

        public Builder step(Duration step) {
            this.step = step;
            return this;
        }

        public Builder length(Duration length) {
            this.length = length;
            return this;
        }

        public Builder cluster(String cluster) {
            this.cluster = cluster;
            return this;
        }

        /** A job with parallelism 2, 1000 records/s per source subtask and 60 s checkpoints. */
        public Builder job(String name) {
            return job(name, 2, 1000, 0, Duration.ofMinutes(1));
        }

        /**
         * A job with the defaults of {@link #job(String)} named {@code name}, which other jobs may
         * share (Flink's default {@code Flink Streaming Job}): {@code handle} tells it apart in
         * incidents and seeds its job id.
         */
        public Builder job(String handle, String name) {
            jobs.add(new SimulatedJob(cluster, handle, name, 2, 1000, 0, Duration.ofMinutes(1)));
            return this;
        }

        /**
         * @param dailyAmplitude traffic swings by this fraction over the day (0 for flat traffic)
         */
        public Builder job(
                String name,
                int parallelism,
                double sourceRatePerSubtask,
                double dailyAmplitude,
                Duration checkpointInterval) {
            jobs.add(
                    new SimulatedJob(
                            cluster,
                            name,
                            name,
                            parallelism,
                            sourceRatePerSubtask,
                            dailyAmplitude,
                            checkpointInterval));
            return this;
        }

        public Builder incident(String jobName, IncidentKind kind, Duration from, Duration until) {
            return incident(jobName, kind, from, until, 0);
        }

        public Builder incident(
                String jobName,
                IncidentKind kind,
                Duration from,
                Duration until,
                double magnitude) {
            incidents.add(new Incident(jobName, kind, from, until, magnitude));
            return this;
        }

        public Scenario build() {
            return new Scenario(start, step, length, List.copyOf(jobs), List.copyOf(incidents));
        }
    }
}
