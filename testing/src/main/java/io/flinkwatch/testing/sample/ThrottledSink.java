package io.flinkwatch.testing.sample;

import java.io.IOException;
import java.nio.file.Path;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The sample job's sink: a stand-in for a destination system (a warehouse, a database) whose speed
 * can be limited while the job runs, through a {@link Throttle} file. A throttled sink is busy
 * nearly all the time and backpressures everything upstream of it, as a slow destination does.
 *
 * <p>It is a throttling map chained to Flink's {@link DiscardingSink} in one vertex, not a {@code
 * Sink} of its own: the same source file is compiled against Flink 2.2 and 1.20 (module {@code
 * testing/sample-job-1.20}), and no class can implement both lines' {@code Sink} (1.20 requires
 * {@code createWriter(Sink.InitContext)}, a type that 2.x removed).
 */
public final class ThrottledSink {

    private ThrottledSink() {}

    /**
     * Appends the sink to {@code records}: a vertex of its own named {@code name}, not chained to
     * what comes before it.
     */
    static void addTo(DataStream<String> records, @Nullable String throttleFile, String name) {
        records.map(new Deliver(throttleFile))
                .uid("warehouse-sink")
                .name(name)
                .startNewChain()
                .sinkTo(new DiscardingSink<>())
                .uid("warehouse-delivered")
                .name(name + "-delivered");
    }

    /**
     * Sets the speed limit of the sinks reading {@code throttleFile}: records per second, 0 for
     * none.
     */
    public static void throttle(Path throttleFile, long recordsPerSecond) throws IOException {
        Throttle.set(throttleFile, recordsPerSecond);
    }

    /** Waits for the throttle, then passes the record on to be delivered. */
    static final class Deliver extends RichMapFunction<String, String> {
        private static final long serialVersionUID = 1L;

        @Nullable private final String throttleFile;
        private transient Throttle throttle;

        Deliver(@Nullable String throttleFile) {
            this.throttleFile = throttleFile;
        }

        @Override
        public void open(OpenContext openContext) {
            throttle =
                    new Throttle(
                            throttleFile == null ? null : Path.of(throttleFile), System::nanoTime);
        }

        @Override
        public String map(String record) throws InterruptedException {
            throttle.acquire();
            return record;
        }
    }
}
