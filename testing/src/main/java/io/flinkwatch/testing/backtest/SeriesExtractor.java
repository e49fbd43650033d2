package io.flinkwatch.testing.backtest;

import io.flinkwatch.alerts.event.AlertLabels;
import io.flinkwatch.ingest.snapshot.InvalidSnapshotException;
import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import io.flinkwatch.ingest.snapshot.SnapshotParser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the series behind the plotted episodes from the recording in one pass, keeping only the
 * snapshots of their jobs within their plot windows: memory grows with the plots, not with the
 * recording.
 */
public final class SeriesExtractor {

    /** One value of a series at an event time. */
    public record Point(long time, double value) {}

    /** What to read for one episode: its series and the window of its plot. */
    public record Request(Episode episode, SeriesSpec spec, long from, long to) {}

    private static final Logger LOG = LoggerFactory.getLogger(SeriesExtractor.class);

    private SeriesExtractor() {}

    /**
     * @param bucketMs the width of a bucket when values of subtasks are summed or snapshots counted
     *     (the evaluation interval, or a minute for counts)
     */
    public static Map<Request, List<Point>> extract(
            Recording recording, SnapshotParser parser, List<Request> requests, long bucketMs) {
        Map<String, List<Request>> byJob = new HashMap<>();
        Map<Request, Collector> collected = new IdentityHashMap<>();
        for (Request request : requests) {
            byJob.computeIfAbsent(jobKey(request.episode()), k -> new ArrayList<>()).add(request);
            collected.put(request, new Collector());
        }
        long[] lines = {0};
        recording.forEachLine(
                line -> {
                    if (++lines[0] % 1_000_000 == 0) {
                        LOG.info("Read {} records of the recording for the plots", lines[0]);
                    }
                    MetricSnapshot snapshot;
                    try {
                        snapshot = parser.parse(line);
                    } catch (InvalidSnapshotException e) {
                        return;
                    }
                    List<Request> wanted =
                            byJob.get(snapshot.cluster() + "\u0000" + snapshot.job().name());
                    if (wanted == null) {
                        return;
                    }
                    for (Request request : wanted) {
                        if (snapshot.timestamp() < request.from()
                                || snapshot.timestamp() > request.to()
                                || !request.spec().matches(snapshot)) {
                            continue;
                        }
                        collected.get(request).add(request.spec(), snapshot, bucketMs);
                    }
                });
        Map<Request, List<Point>> series = new IdentityHashMap<>();
        collected.forEach(
                (request, collector) -> series.put(request, collector.points(request.spec())));
        return series;
    }

    private static String jobKey(Episode episode) {
        return episode.labels().get(AlertLabels.CLUSTER)
                + "\u0000"
                + episode.labels().get(AlertLabels.JOB_NAME);
    }

    private static final class Collector {
        final List<Point> points = new ArrayList<>();
        // Bucket start -> subtask -> newest value in the bucket; or bucket -> count.
        final TreeMap<Long, Map<Integer, Double>> buckets = new TreeMap<>();

        void add(SeriesSpec spec, MetricSnapshot snapshot, long bucketMs) {
            long time = snapshot.timestamp();
            if (spec.countsSnapshots()) {
                long minute = Math.floorDiv(time, 60_000L) * 60_000L;
                buckets.computeIfAbsent(minute, k -> new HashMap<>()).merge(0, 1.0, Double::sum);
                return;
            }
            double value = spec.value().applyAsDouble(snapshot);
            if (Double.isNaN(value)) {
                return;
            }
            if (spec.sumSubtasks()) {
                long bucket = Math.floorDiv(time, bucketMs) * bucketMs;
                buckets.computeIfAbsent(bucket, k -> new HashMap<>())
                        .put(snapshot.scope().subtask(), value);
                return;
            }
            points.add(new Point(time, value));
        }

        List<Point> points(SeriesSpec spec) {
            List<Point> result = new ArrayList<>(points);
            buckets.forEach(
                    (bucket, values) ->
                            result.add(
                                    new Point(
                                            bucket,
                                            values.values().stream()
                                                    .mapToDouble(Double::doubleValue)
                                                    .sum())));
            result.sort(Comparator.comparingLong(Point::time));
            return result;
        }
    }
}
