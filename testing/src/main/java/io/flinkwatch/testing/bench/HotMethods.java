package io.flinkwatch.testing.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A summary of a JFR recording: where the CPU samples of Flink's task threads fall, by the method
 * on top of the stack and by the Flinkwatch operator (or library) that called it.
 */
final class HotMethods {

    record Share(String name, double percent) {}

    record Summary(long samples, List<Share> methods, List<Share> callers) {}

    private HotMethods() {}

    static Summary of(Path recording, int top) throws IOException {
        Map<String, Integer> methods = new HashMap<>();
        Map<String, Integer> callers = new HashMap<>();
        long samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty() || !isTaskThread(event)) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = stack.getFrames();
            methods.merge(name(frames.get(0)), 1, Integer::sum);
            callers.merge(caller(frames), 1, Integer::sum);
        }
        return new Summary(samples, top(methods, samples, top), top(callers, samples, top));
    }

    /** Flink names task threads after their operator chain, e.g. "analytics: ... (1/2)#0". */
    private static boolean isTaskThread(RecordedEvent event) {
        var thread = event.getThread("sampledThread");
        String name = thread == null ? null : thread.getJavaName();
        return name != null && name.matches(".*\\(\\d+/\\d+\\)#\\d+");
    }

    /** The innermost frame that is Flinkwatch code, else the innermost frame's package. */
    private static String caller(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            if (type.startsWith("io.flinkwatch.")) {
                return name(frame);
            }
        }
        String type = frames.get(0).getMethod().getType().getName();
        int dot = type.lastIndexOf('.');
        return (dot < 0 ? type : type.substring(0, dot)) + ".*";
    }

    private static String name(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName();
    }

    private static List<Share> top(Map<String, Integer> counts, long total, int top) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top)
                .map(e -> new Share(e.getKey(), 100.0 * e.getValue() / Math.max(1, total)))
                .toList();
    }
}
