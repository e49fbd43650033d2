package io.flinkwatch.job.analytics.topology;

import java.util.List;
import javax.annotation.Nullable;

/**
 * Where backpressure comes from.
 *
 * @param vertex the bottleneck vertex's name, or null when no vertex qualifies
 * @param backpressuredUpstream names of the backpressured vertices upstream of it, in topology
 *     order (its victims)
 * @param topologyKnown whether the job graph was known; without it the bottleneck is the busiest
 *     vertex that is not backpressured, and its victims are unknown
 */
public record Bottleneck(
        @Nullable String vertex, List<String> backpressuredUpstream, boolean topologyKnown) {}
