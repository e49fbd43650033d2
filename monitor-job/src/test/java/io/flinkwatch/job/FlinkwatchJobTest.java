package io.flinkwatch.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkwatch.job.config.FlinkwatchConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The runtime settings the job applies before building its dataflow. */
class FlinkwatchJobTest {

    @Test
    void theMaximumParallelismIsSetExplicitlySoSavepointsRescaleTheSameWay() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FlinkwatchJob.configure(env, FlinkwatchConfig.fromArgs("--parallelism", "2"));
        assertThat(env.getMaxParallelism()).isEqualTo(128);
        assertThat(env.getParallelism()).isEqualTo(2);

        FlinkwatchJob.configure(env, FlinkwatchConfig.fromArgs("--parallelism.max", "512"));
        assertThat(env.getMaxParallelism()).isEqualTo(512);
    }
}
