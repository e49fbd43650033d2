package io.flinkwatch.job.analytics.topology;

import io.flinkwatch.ingest.snapshot.Topology;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Finds the bottleneck of backpressure, as the article teaches: backpressure propagates upstream,
 * so the bottleneck is not the vertex flagged as backpressured but the first vertex, in topology
 * order, that is not backpressured while its busy time is high. Its victims are the backpressured
 * vertices upstream of it.
 */
public final class BottleneckFinder {

    private BottleneckFinder() {}

    /**
     * @param topology the job graph, or null when unknown
     * @param loads the load of each vertex with metrics, by vertex id
     * @param busyThreshold busy time above which a vertex is saturated (ms per second)
     * @param backpressuredThreshold backpressured time above which a vertex counts as backpressured
     *     (ms per second)
     */
    public static Bottleneck find(
            @Nullable Topology topology,
            Map<String, VertexLoad> loads,
            double busyThreshold,
            double backpressuredThreshold) {
        if (topology == null || !covers(topology, loads)) {
            return withoutTopology(loads, busyThreshold, backpressuredThreshold);
        }
        List<Topology.Vertex> order = topologicalOrder(topology);
        for (Topology.Vertex vertex : order) {
            VertexLoad load = loads.get(vertex.id());
            if (load != null
                    && !load.backpressured(backpressuredThreshold)
                    && load.maxBusyMsPerSecond() > busyThreshold) {
                List<String> victims = new ArrayList<>();
                Set<String> upstream = ancestors(topology, vertex.id());
                for (Topology.Vertex candidate : order) {
                    VertexLoad candidateLoad = loads.get(candidate.id());
                    if (upstream.contains(candidate.id())
                            && candidateLoad != null
                            && candidateLoad.backpressured(backpressuredThreshold)) {
                        victims.add(candidate.name());
                    }
                }
                return new Bottleneck(vertex.name(), victims, true);
            }
        }
        return new Bottleneck(null, List.of(), true);
    }

    private static boolean covers(Topology topology, Map<String, VertexLoad> loads) {
        Set<String> ids = new HashSet<>();
        topology.vertices().forEach(v -> ids.add(v.id()));
        return ids.containsAll(loads.keySet());
    }

    private static Bottleneck withoutTopology(
            Map<String, VertexLoad> loads, double busyThreshold, double backpressuredThreshold) {
        VertexLoad busiest = null;
        for (VertexLoad load : loads.values()) {
            if (!load.backpressured(backpressuredThreshold)
                    && load.maxBusyMsPerSecond() > busyThreshold
                    && (busiest == null
                            || load.maxBusyMsPerSecond() > busiest.maxBusyMsPerSecond()
                            || (load.maxBusyMsPerSecond() == busiest.maxBusyMsPerSecond()
                                    && load.vertexName().compareTo(busiest.vertexName()) < 0))) {
                busiest = load;
            }
        }
        return new Bottleneck(busiest == null ? null : busiest.vertexName(), List.of(), false);
    }

    /** Kahn's algorithm; ties keep the topology's listing order. Vertices on a cycle come last. */
    static List<Topology.Vertex> topologicalOrder(Topology topology) {
        Map<String, Topology.Vertex> byId = new LinkedHashMap<>();
        Map<String, Integer> indegree = new HashMap<>();
        Map<String, List<String>> downstream = new HashMap<>();
        for (Topology.Vertex vertex : topology.vertices()) {
            byId.put(vertex.id(), vertex);
            indegree.put(vertex.id(), 0);
        }
        for (Topology.Vertex vertex : topology.vertices()) {
            for (String input : vertex.inputs()) {
                if (byId.containsKey(input)) {
                    indegree.merge(vertex.id(), 1, Integer::sum);
                    downstream.computeIfAbsent(input, k -> new ArrayList<>()).add(vertex.id());
                }
            }
        }
        List<Topology.Vertex> order = new ArrayList<>();
        Deque<String> ready = new ArrayDeque<>();
        for (Topology.Vertex vertex : topology.vertices()) {
            if (indegree.get(vertex.id()) == 0) {
                ready.add(vertex.id());
            }
        }
        Set<String> placed = new HashSet<>();
        while (!ready.isEmpty()) {
            String id = ready.poll();
            order.add(byId.get(id));
            placed.add(id);
            for (String next : downstream.getOrDefault(id, List.of())) {
                if (indegree.merge(next, -1, Integer::sum) == 0) {
                    ready.add(next);
                }
            }
        }
        for (Topology.Vertex vertex : topology.vertices()) {
            if (!placed.contains(vertex.id())) {
                order.add(vertex);
            }
        }
        return order;
    }

    private static Set<String> ancestors(Topology topology, String id) {
        Map<String, List<String>> inputs = new HashMap<>();
        topology.vertices().forEach(v -> inputs.put(v.id(), v.inputs()));
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(inputs.getOrDefault(id, List.of()));
        while (!todo.isEmpty()) {
            String next = todo.poll();
            if (seen.add(next)) {
                todo.addAll(inputs.getOrDefault(next, List.of()));
            }
        }
        return seen;
    }

    /** The ids of vertices no other vertex reads from (sinks), or empty without a topology. */
    public static Set<String> sinks(@Nullable Topology topology) {
        Set<String> sinks = new HashSet<>();
        if (topology == null) {
            return sinks;
        }
        topology.vertices().forEach(v -> sinks.add(v.id()));
        topology.vertices().forEach(v -> sinks.removeAll(v.inputs()));
        return sinks;
    }

    /** The ids of vertices without inputs (sources), or empty without a topology. */
    public static Set<String> sources(@Nullable Topology topology) {
        Set<String> sources = new HashSet<>();
        if (topology != null) {
            topology.vertices().stream()
                    .filter(v -> v.inputs().isEmpty())
                    .forEach(v -> sources.add(v.id()));
        }
        return sources;
    }
}
