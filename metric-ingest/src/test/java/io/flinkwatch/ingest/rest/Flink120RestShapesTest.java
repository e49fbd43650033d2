package io.flinkwatch.ingest.rest;

import static io.flinkwatch.ingest.Recorded.ENRICH_1_20;
import static io.flinkwatch.ingest.Recorded.JOB_1_20;
import static io.flinkwatch.ingest.Recorded.SOURCE_1_20;
import static io.flinkwatch.ingest.Recorded.WAREHOUSE_1_20;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkwatch.ingest.Recorded;
import io.flinkwatch.ingest.snapshot.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The REST answers of a real Flink 1.20.5 JobManager, as the reporter and the Prometheus bridge
 * read them: {@code /jobs/{id}} has the same {@code vertices} and {@code plan.nodes[].inputs} as
 * 2.2 (2.2 only adds {@code pending-operators}), {@code /jobs/{id}/checkpoints/config} the same
 * {@code interval}.
 */
class Flink120RestShapesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theJobGraphStatusAndNamesComeFromJobsId() throws Exception {
        JobDetails details =
                FlinkRestClient.jobDetails(
                        JSON.readTree(Recorded.text("flink-1.20.5/jobs-jid.json")), 2000L);

        assertThat(details.id()).isEqualTo(JOB_1_20);
        assertThat(details.name()).isEqualTo("sample-orders");
        assertThat(details.jobRef().status()).isEqualTo("RUNNING");
        assertThat(details.jobRef().checkpointIntervalMs()).isEqualTo(2000L);
        // Names from "vertices" (the plan's descriptions carry HTML), inputs from the plan: the
        // graph that names the sink as the bottleneck and the map and source as its victims.
        assertThat(details.knownTopology().vertices())
                .containsExactlyInAnyOrder(
                        new Topology.Vertex(
                                WAREHOUSE_1_20,
                                "warehouse -> warehouse-delivered: Writer",
                                1,
                                List.of(ENRICH_1_20)),
                        new Topology.Vertex(ENRICH_1_20, "enrich", 1, List.of(SOURCE_1_20)),
                        new Topology.Vertex(SOURCE_1_20, "Source: orders", 1, List.of()));
    }

    @Test
    void theCheckpointIntervalComesFromCheckpointsConfig() throws Exception {
        assertThat(
                        FlinkRestClient.checkpointInterval(
                                JSON.readTree(
                                        Recorded.text(
                                                "flink-1.20.5/jobs-jid-checkpoints-config.json"))))
                .isEqualTo(2000L);
    }
}
