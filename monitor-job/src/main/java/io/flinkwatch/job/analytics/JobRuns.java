package io.flinkwatch.job.analytics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The runs (job ids) seen under one monitored job name on one cluster, and which of them rules
 * evaluate at an instant.
 *
 * <p>A running job's identity is its id: a session cluster often runs several jobs under one name
 * (Flink's default {@code Flink Streaming Job}, generated SQL names), and their samples must never
 * mix. The name still ties a job's history together across a resubmission, which is an old id gone
 * and a new id with the same name. So, at each evaluation:
 *
 * <ul>
 *   <li>a run is <b>live</b> when it was first seen at or before the instant and its newest sample
 *       is within the staleness;
 *   <li>a live run is <b>superseded</b> when another live run of the name was first seen after this
 *       one's newest sample: it was resubmitted, and only its successor is evaluated;
 *   <li>the others are evaluated, each on its own samples. When more than one is, they are
 *       concurrent <b>namesakes</b>, and their alerts are told apart by job id.
 * </ul>
 *
 * <p>Mutable; public fields so that Flink keeps it in keyed state as a POJO.
 */
public final class JobRuns {

    /** Runs by job id. */
    public Map<String, JobRun> runs = new HashMap<>();

    /** What is known of one run. Public fields for Flink's POJO serializer. */
    public static final class JobRun {
        public long firstSample = Long.MAX_VALUE;
        public long newestSample = Long.MIN_VALUE;

        public JobRun() {}

        JobRun(long firstSample, long newestSample) {
            this.firstSample = firstSample;
            this.newestSample = newestSample;
        }
    }

    /**
     * A run to evaluate.
     *
     * @param jobId its id
     * @param namesakes whether other runs of the name are evaluated beside it (its alerts then name
     *     its id)
     * @param eldest whether it is the longest-running of the evaluated runs: it keeps what the name
     *     keeps across resubmissions (throughput baselines), so that a namesake started next to it
     *     does not feed or judge by its history
     */
    public record Evaluated(String jobId, boolean namesakes, boolean eldest) {}

    /** Notes a sample of {@code jobId} at {@code time}. */
    public void seen(String jobId, long time) {
        JobRun run = runs.get(jobId);
        if (run == null) {
            runs.put(jobId, new JobRun(time, time));
        } else if (time < run.firstSample || time > run.newestSample) {
            run.firstSample = Math.min(run.firstSample, time);
            run.newestSample = Math.max(run.newestSample, time);
        }
    }

    /**
     * Whether some run has a sample newer than {@code staleness} before {@code time} (one after it
     * counts too: it arrived early, and later instants will read it).
     */
    public boolean anyRecent(long time, long staleness) {
        for (JobRun run : runs.values()) {
            if (run.newestSample > time - staleness) {
                return true;
            }
        }
        return false;
    }

    /** The runs to evaluate at {@code time}, eldest first (then by id, so the order is fixed). */
    public List<Evaluated> evaluated(long time, long staleness) {
        List<Map.Entry<String, JobRun>> live = liveAt(time, staleness);
        List<Map.Entry<String, JobRun>> current = new ArrayList<>(live.size());
        for (Map.Entry<String, JobRun> candidate : live) {
            if (!supersededWithin(candidate.getValue(), live)) {
                current.add(candidate);
            }
        }
        current.sort(
                Comparator.<Map.Entry<String, JobRun>>comparingLong(
                                entry -> entry.getValue().firstSample)
                        .thenComparing(Map.Entry::getKey));
        List<Evaluated> evaluated = new ArrayList<>(current.size());
        for (int i = 0; i < current.size(); i++) {
            evaluated.add(new Evaluated(current.get(i).getKey(), current.size() > 1, i == 0));
        }
        return evaluated;
    }

    /**
     * Removes the runs that are no longer live at {@code time}, or superseded, and returns their
     * ids: their samples can go.
     */
    public List<String> retire(long time, long staleness) {
        List<Map.Entry<String, JobRun>> live = liveAt(time, staleness);
        List<String> retired = new ArrayList<>();
        for (Iterator<Map.Entry<String, JobRun>> it = runs.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, JobRun> entry = it.next();
            JobRun run = entry.getValue();
            // A run first seen after the instant is kept for later instants.
            boolean keep =
                    run.firstSample > time
                            || (live(run, time, staleness) && !supersededWithin(run, live));
            if (!keep) {
                retired.add(entry.getKey());
                it.remove();
            }
        }
        retired.sort(Comparator.naturalOrder());
        return retired;
    }

    private List<Map.Entry<String, JobRun>> liveAt(long time, long staleness) {
        List<Map.Entry<String, JobRun>> live = new ArrayList<>();
        for (Map.Entry<String, JobRun> entry : runs.entrySet()) {
            if (live(entry.getValue(), time, staleness)) {
                live.add(entry);
            }
        }
        return live;
    }

    public boolean isEmpty() {
        return runs.isEmpty();
    }

    private static boolean live(JobRun run, long time, long staleness) {
        return run.firstSample <= time && run.newestSample > time - staleness;
    }

    private static boolean supersededWithin(JobRun run, List<Map.Entry<String, JobRun>> others) {
        for (Map.Entry<String, JobRun> other : others) {
            if (other.getValue() != run && other.getValue().firstSample > run.newestSample) {
                return true;
            }
        }
        return false;
    }
}
