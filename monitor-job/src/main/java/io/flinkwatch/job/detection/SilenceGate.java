package io.flinkwatch.job.detection;

import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.alerts.event.Fingerprint;
import io.flinkwatch.job.analytics.JobKeys;
import io.flinkwatch.job.lifecycle.AlertSignal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Tells a job that fell silent from jobs that fell silent together: what pages when metrics stop.
 * Pure: every time is passed in; the state is this object, kept whole by its Flink operator.
 *
 * <p>The absence detector's FlinkMetricsAbsent signals of single jobs pass through here. A job's
 * FIRE waits one group window; the jobs whose FIRE came within it are judged together:
 *
 * <ul>
 *   <li>at least {@code minJobs} of them, on two clusters or more: the cause is upstream of every
 *       job, in Flinkwatch's input (its Kafka, the metrics topic, the publishers' network). One
 *       FlinkwatchInputSilent fires, naming the clusters and partitions, and the jobs are held: no
 *       FlinkMetricsAbsent for them, nor for jobs that fall silent while it fires;
 *   <li>two or more, on one cluster, and every job of that cluster known to be watched: the cluster
 *       or its publisher is gone. One FlinkClusterMetricsAbsent fires for the cluster, and its jobs
 *       are held;
 *   <li>otherwise each job gets its FlinkMetricsAbsent, one window late.
 * </ul>
 *
 * A job whose snapshots return (a RESOLVE of its absence) within the window pages for nothing. When
 * the first held job returns, the others get {@code afterMs} to follow; those still silent then are
 * judged again as a group, and if they no longer make one, each gets its own FlinkMetricsAbsent,
 * with its true start (last snapshot plus the silence), and the group's alert resolves.
 *
 * <p>Public fields, so that Flink keeps it as a POJO.
 */
public final class SilenceGate {

    /** What a group's alert is about. */
    public enum Scope {
        INPUT,
        CLUSTER
    }

    /** A job's FIRE waiting for its window, or held under a group alert. Public for Flink. */
    public static final class Silent {
        public AlertSignal fire;
        public long decideAt;
        public boolean wallClock;

        public Silent() {}

        Silent(AlertSignal fire, long decideAt, boolean wallClock) {
            this.fire = fire;
            this.decideAt = decideAt;
            this.wallClock = wallClock;
        }
    }

    /** An open group alert and the jobs it holds. Public for Flink. */
    public static final class Group {
        public Scope scope;
        public String cluster;
        public AlertSignal fire;
        public Map<String, Silent> held = new HashMap<>();

        /** When the first held job returned; judged again {@code afterMs} later. */
        public long returnedAt = Long.MIN_VALUE;

        public boolean returnedByWallClock;
    }

    /** Jobs waiting for their window, by job key. */
    public Map<String, Silent> pending = new HashMap<>();

    /** Open group alerts, by fingerprint. */
    public Map<String, Group> groups = new HashMap<>();

    /** Where each watched job's snapshots come from ({@code topic/partition}), by job key. */
    public Map<String, String> origins = new HashMap<>();

    /** The rules and settings the gate decides with. */
    public record Settings(
            io.flinkwatch.job.detection.rules.InputSilent inputSilent,
            io.flinkwatch.job.detection.rules.ClusterMetricsAbsent clusterAbsent,
            long windowMs,
            long afterMs,
            int minJobs)
            implements java.io.Serializable {}

    /** Notes where a job's snapshots come from. */
    public void noteOrigin(String cluster, String jobName, String topic, int partition) {
        origins.put(JobKeys.of(cluster, jobName), topic + "/" + partition);
    }

    /**
     * Takes a signal of the absence detector; returns what to emit at once. A FIRE of a single job
     * is kept: the returned deadline list gets its decision time.
     */
    public List<AlertSignal> accept(
            AlertSignal signal,
            long now,
            boolean wallClock,
            Settings settings,
            List<Long> deadlines) {
        if (signal.labels().containsKey(AlertLabels.JOB_ID)) {
            // A namesake run's own absence: the name still reports, so its input is alive.
            return List.of(signal);
        }
        String job = jobKey(signal);
        switch (signal.kind()) {
            case FIRE -> {
                for (Group group : groups.values()) {
                    if (group.scope == Scope.INPUT
                            || group.cluster.equals(signal.labels().get(AlertLabels.CLUSTER))) {
                        group.held.put(job, new Silent(signal, now, wallClock));
                        return List.of();
                    }
                }
                Silent silent = new Silent(signal, now + settings.windowMs(), wallClock);
                pending.put(job, silent);
                deadlines.add(silent.decideAt);
                return List.of();
            }
            case RESOLVE -> {
                if (pending.remove(job) != null) {
                    return List.of();
                }
                for (Group group : groups.values()) {
                    if (group.held.remove(job) != null) {
                        if (group.returnedAt == Long.MIN_VALUE) {
                            group.returnedAt = now;
                            group.returnedByWallClock = wallClock;
                            deadlines.add(now + settings.afterMs());
                        }
                        return List.of();
                    }
                }
                return List.of(signal);
            }
            case RETIRE -> {
                origins.remove(job);
                for (Group group : groups.values()) {
                    group.held.remove(job);
                }
                Silent waiting = pending.remove(job);
                if (waiting != null) {
                    // Retired before its window passed (the end of a replay moves event time on
                    // at once): its absence came first, and is told first.
                    return List.of(late(waiting.fire, waiting.wallClock), signal);
                }
                return List.of(signal);
            }
            default -> {
                return List.of(signal);
            }
        }
    }

    /**
     * Decides what is due at {@code now} on the given clock: the pending jobs whose window has
     * passed, and the groups whose jobs had time to return.
     */
    public List<AlertSignal> decide(long now, boolean wallClock, Settings settings) {
        List<AlertSignal> out = new ArrayList<>();
        List<Silent> due = new ArrayList<>();
        for (Silent silent : new ArrayList<>(pending.values())) {
            if (silent.wallClock == wallClock && silent.decideAt <= now) {
                due.add(silent);
            }
        }
        if (!due.isEmpty()) {
            // Everything pending fell silent within a window of the first due: one group.
            List<Silent> together = new ArrayList<>(pending.values());
            pending.clear();
            judge(together, now, wallClock, settings, out);
        }
        for (String fingerprint : new ArrayList<>(groups.keySet())) {
            Group group = groups.get(fingerprint);
            if (group.returnedAt != Long.MIN_VALUE
                    && group.returnedByWallClock == wallClock
                    && group.returnedAt + settings.afterMs() <= now) {
                groups.remove(fingerprint);
                List<Silent> still = new ArrayList<>(group.held.values());
                out.add(resolve(group, now, wallClock));
                judge(still, now, wallClock, settings, out);
            }
        }
        return out;
    }

    private void judge(
            List<Silent> together,
            long now,
            boolean wallClock,
            Settings settings,
            List<AlertSignal> out) {
        Map<String, List<Silent>> byCluster = new TreeMap<>();
        for (Silent silent : together) {
            byCluster
                    .computeIfAbsent(
                            silent.fire.labels().get(AlertLabels.CLUSTER), c -> new ArrayList<>())
                    .add(silent);
        }
        if (settings.inputSilent() != null
                && together.size() >= settings.minJobs()
                && byCluster.size() >= 2) {
            Group group = new Group();
            group.scope = Scope.INPUT;
            group.cluster = "";
            for (Silent silent : together) {
                group.held.put(jobKey(silent.fire), silent);
            }
            group.fire = inputFire(together, byCluster.keySet(), now, wallClock, settings);
            groups.put(group.fire.fingerprint(), group);
            out.add(group.fire);
            return;
        }
        for (Map.Entry<String, List<Silent>> cluster : byCluster.entrySet()) {
            List<Silent> jobs = cluster.getValue();
            if (settings.clusterAbsent() != null
                    && jobs.size() >= 2
                    && jobs.size() >= watchedJobs(cluster.getKey())) {
                Group group = new Group();
                group.scope = Scope.CLUSTER;
                group.cluster = cluster.getKey();
                for (Silent silent : jobs) {
                    group.held.put(jobKey(silent.fire), silent);
                }
                group.fire = clusterFire(cluster.getKey(), jobs, now, wallClock, settings);
                groups.put(group.fire.fingerprint(), group);
                out.add(group.fire);
            } else {
                for (Silent silent : jobs) {
                    out.add(late(silent.fire, wallClock));
                }
            }
        }
    }

    /** The job's own FIRE, dated as the detector dated it: its true start. */
    private static AlertSignal late(AlertSignal fire, boolean wallClock) {
        return new AlertSignal(
                fire.kind(),
                fire.rule(),
                fire.fingerprint(),
                fire.timestamp(),
                fire.activeSince(),
                fire.labels(),
                fire.jobId(),
                fire.evidence(),
                fire.immediate() || wallClock);
    }

    private int watchedJobs(String cluster) {
        String prefix = JobKeys.of(cluster, "");
        int count = 0;
        for (String job : origins.keySet()) {
            if (job.startsWith(prefix)) {
                count++;
            }
        }
        return count;
    }

    private AlertSignal inputFire(
            List<Silent> together,
            java.util.Set<String> clusters,
            long now,
            boolean wallClock,
            Settings settings) {
        TreeSet<String> partitions = new TreeSet<>();
        long since = Long.MAX_VALUE;
        for (Silent silent : together) {
            String origin = origins.get(jobKey(silent.fire));
            if (origin != null) {
                partitions.add(origin);
            }
            since = Math.min(since, silent.fire.activeSince());
        }
        Map<String, String> labels = new TreeMap<>();
        labels.put(AlertLabels.ALERTNAME, settings.inputSilent().name());
        labels.put(AlertLabels.SEVERITY, settings.inputSilent().severity().label());
        Evidence evidence =
                Evidence.builder()
                        .value("silentJobs", together.size())
                        .value("watchedJobs", Math.max(origins.size(), together.size()))
                        .fact("clusters", list(clusters))
                        .fact("partitions", partitions.isEmpty() ? "unknown" : list(partitions))
                        .fact("detectedBy", wallClock ? "wall clock" : "event time")
                        .build();
        return new AlertSignal(
                AlertSignal.Kind.FIRE,
                settings.inputSilent().name(),
                Fingerprint.of(labels),
                wallClock ? Math.max(since, 0) : now,
                since,
                labels,
                "",
                evidence,
                wallClock);
    }

    private AlertSignal clusterFire(
            String cluster, List<Silent> jobs, long now, boolean wallClock, Settings settings) {
        long since = Long.MAX_VALUE;
        TreeSet<String> names = new TreeSet<>();
        for (Silent silent : jobs) {
            since = Math.min(since, silent.fire.activeSince());
            names.add(silent.fire.labels().get(AlertLabels.JOB_NAME));
        }
        Map<String, String> labels = new TreeMap<>();
        labels.put(AlertLabels.ALERTNAME, settings.clusterAbsent().name());
        labels.put(AlertLabels.SEVERITY, settings.clusterAbsent().severity().label());
        labels.put(AlertLabels.CLUSTER, cluster);
        Evidence evidence =
                Evidence.builder()
                        .value("silentJobs", jobs.size())
                        .fact("jobs", list(names))
                        .fact("detectedBy", wallClock ? "wall clock" : "event time")
                        .build();
        return new AlertSignal(
                AlertSignal.Kind.FIRE,
                settings.clusterAbsent().name(),
                Fingerprint.of(labels),
                wallClock ? since : now,
                since,
                labels,
                "",
                evidence,
                wallClock);
    }

    private static AlertSignal resolve(Group group, long now, boolean wallClock) {
        return new AlertSignal(
                AlertSignal.Kind.RESOLVE,
                group.fire.rule(),
                group.fire.fingerprint(),
                wallClock ? Math.max(group.fire.timestamp(), now) : now,
                0,
                group.fire.labels(),
                "",
                Evidence.builder().fact("stillSilent", Integer.toString(group.held.size())).build(),
                wallClock);
    }

    private static String list(java.util.Collection<String> names) {
        List<String> shown = new ArrayList<>();
        for (String name : names) {
            if (shown.size() == 20) {
                shown.add("and " + (names.size() - 20) + " more");
                break;
            }
            shown.add(name);
        }
        return String.join(", ", shown);
    }

    private static String jobKey(AlertSignal signal) {
        return JobKeys.of(
                signal.labels().getOrDefault(AlertLabels.CLUSTER, ""),
                signal.labels().getOrDefault(AlertLabels.JOB_NAME, ""));
    }

    public boolean isEmpty() {
        return pending.isEmpty() && groups.isEmpty() && origins.isEmpty();
    }
}
