package io.flinkwatch.testing.sample;

import java.io.IOException;
import java.nio.file.Path;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;

/**
 * The sample job's sink: a stand-in for a destination system (a warehouse, a database) whose speed
 * can be limited while the job runs, through a {@link Throttle} file. Delivered records are counted
 * in the sink's {@code numRecordsSend} metric; a throttled sink is busy nearly all the time and
 * backpressures everything upstream of it, as a slow destination does.
 */
public final class ThrottledSink implements Sink<String> {

    private static final long serialVersionUID = 1L;

    @Nullable private final String throttleFile;

    /**
     * @param throttleFile the file holding the speed limit, or null for none
     */
    public ThrottledSink(@Nullable String throttleFile) {
        this.throttleFile = throttleFile;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) {
        Throttle throttle =
                new Throttle(throttleFile == null ? null : Path.of(throttleFile), System::nanoTime);
        Counter delivered = context.metricGroup().getNumRecordsSendCounter();
        return new SinkWriter<>() {
            @Override
            public void write(String record, Context writeContext) throws InterruptedException {
                throttle.acquire();
                delivered.inc();
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }

    /**
     * Sets the speed limit of the sinks reading {@code throttleFile}: records per second, 0 for
     * none.
     */
    public static void throttle(Path throttleFile, long recordsPerSecond) throws IOException {
        Throttle.set(throttleFile, recordsPerSecond);
    }
}
