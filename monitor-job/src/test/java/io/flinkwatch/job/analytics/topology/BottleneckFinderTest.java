package io.flinkwatch.job.analytics.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.ingest.snapshot.Topology;
import io.flinkwatch.ingest.snapshot.Topology.Vertex;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BottleneckFinderTest {

    // source → map → sink, listed out of order to prove the order comes from the inputs.
    private static final Topology CHAIN =
            new Topology(
                    List.of(
                            new Vertex("k", "Sink", 2, List.of("m")),
                            new Vertex("s", "Source", 2, List.of()),
                            new Vertex("m", "Map", 2, List.of("s"))));

    @Test
    void aSlowSinkIsTheBottleneckAndEverythingUpstreamIsItsVictim() {
        // The article's picture: the sink is busy and not backpressured; map and source are
        // backpressured.
        Bottleneck bottleneck =
                BottleneckFinder.find(
                        CHAIN,
                        Map.of(
                                "s", new VertexLoad("s", "Source", 50, 900),
                                "m", new VertexLoad("m", "Map", 60, 880),
                                "k", new VertexLoad("k", "Sink", 990, 0)),
                        900,
                        100);

        assertThat(bottleneck.vertex()).isEqualTo("Sink");
        assertThat(bottleneck.backpressuredUpstream()).containsExactly("Source", "Map");
        assertThat(bottleneck.topologyKnown()).isTrue();
    }

    @Test
    void theFirstBusyVertexThatIsNotBackpressuredWinsNotTheBusiest() {
        // Map is busy (950) and not backpressured; the sink is busier but comes later.
        Bottleneck bottleneck =
                BottleneckFinder.find(
                        CHAIN,
                        Map.of(
                                "s", new VertexLoad("s", "Source", 50, 900),
                                "m", new VertexLoad("m", "Map", 950, 0),
                                "k", new VertexLoad("k", "Sink", 990, 0)),
                        900,
                        100);

        assertThat(bottleneck.vertex()).isEqualTo("Map");
        assertThat(bottleneck.backpressuredUpstream()).containsExactly("Source");
    }

    @Test
    void aBusyButBackpressuredVertexIsAVictimNotTheCause() {
        Bottleneck bottleneck =
                BottleneckFinder.find(
                        CHAIN,
                        Map.of(
                                "s", new VertexLoad("s", "Source", 50, 900),
                                "m", new VertexLoad("m", "Map", 950, 600),
                                "k", new VertexLoad("k", "Sink", 990, 0)),
                        900,
                        100);

        assertThat(bottleneck.vertex()).isEqualTo("Sink");
        assertThat(bottleneck.backpressuredUpstream()).containsExactly("Source", "Map");
    }

    @Test
    void onlyVerticesUpstreamOfTheBottleneckAreItsVictims() {
        // Two independent pipelines: a → b (b slow) and c → d (c backpressured by something else).
        Topology two =
                new Topology(
                        List.of(
                                new Vertex("a", "A", 1, List.of()),
                                new Vertex("b", "B", 1, List.of("a")),
                                new Vertex("c", "C", 1, List.of()),
                                new Vertex("d", "D", 1, List.of("c"))));
        Bottleneck bottleneck =
                BottleneckFinder.find(
                        two,
                        Map.of(
                                "a", new VertexLoad("a", "A", 10, 900),
                                "b", new VertexLoad("b", "B", 999, 0),
                                "c", new VertexLoad("c", "C", 10, 900),
                                "d", new VertexLoad("d", "D", 10, 0)),
                        900,
                        100);

        assertThat(bottleneck.vertex()).isEqualTo("B");
        assertThat(bottleneck.backpressuredUpstream()).containsExactly("A");
    }

    @Test
    void withoutTheJobGraphTheBusiestUnpressuredVertexIsNamed() {
        Bottleneck bottleneck =
                BottleneckFinder.find(
                        null,
                        Map.of(
                                "s", new VertexLoad("s", "Source", 50, 900),
                                "k", new VertexLoad("k", "Sink", 990, 0)),
                        900,
                        100);

        assertThat(bottleneck.vertex()).isEqualTo("Sink");
        assertThat(bottleneck.topologyKnown()).isFalse();
    }

    @Test
    void aCycleDoesNotLoopForever() {
        Topology cycle =
                new Topology(
                        List.of(
                                new Vertex("a", "A", 1, List.of("b")),
                                new Vertex("b", "B", 1, List.of("a"))));
        assertThat(BottleneckFinder.topologicalOrder(cycle)).hasSize(2);
    }

    @Test
    void sourcesAndSinksComeFromTheInputs() {
        assertThat(BottleneckFinder.sources(CHAIN)).containsExactly("s");
        assertThat(BottleneckFinder.sinks(CHAIN)).containsExactly("k");
    }
}
