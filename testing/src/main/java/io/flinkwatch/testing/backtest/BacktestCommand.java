package io.flinkwatch.testing.backtest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line of {@code testing-<version>-backtest.jar} (docs/backtest.md):
 *
 * <pre>
 * java -jar testing-VERSION-backtest.jar backtest --from recording.jsonl [job parameters] \
 *     [--compare "job parameters"] [--top 50] [--report backtest.html]
 * java -jar testing-VERSION-backtest.jar backtest --from kafka --source.bootstrap-servers kafka:9092 \
 *     --source.topic flink-metrics --source.start 2026-01-05T00:00:00Z --source.end 2026-01-05T06:00:00Z
 * java -jar testing-VERSION-backtest.jar record --source.bootstrap-servers kafka:9092 \
 *     --source.topic flink-metrics --source.start ... --source.end ... --out recording.jsonl
 * </pre>
 *
 * Options of the command are its own; every other {@code --name value} is a Flinkwatch job
 * parameter. Progress goes to the log (stderr); the outcome to stdout.
 */
public final class BacktestCommand {

    private static final Logger LOG = LoggerFactory.getLogger(BacktestCommand.class);

    static final String USAGE =
            """
            Usage:
              backtest --from FILE.jsonl|kafka [--report FILE.html] [--top N] [--compare "PARAMETERS"]
                       [--replay.partitions N] [source options] [Flinkwatch job parameters...]
              record   --out FILE.jsonl [source options]
            Source options (a topic range; --from kafka):
              --source.bootstrap-servers HOST:PORT   --source.topic TOPIC
              --source.start earliest|latest|ISO-8601 instant|offset|P:OFFSET,...  (default earliest)
              --source.end   earliest|latest|ISO-8601 instant|offset|P:OFFSET,...  (default latest)
              --source.properties.NAME VALUE        Kafka client settings (security)
              --source.properties-file FILE         Kafka client settings from a properties file
            Every other --name value is a Flinkwatch job parameter (README.md, Job parameters).
            See docs/backtest.md.
            """;

    private BacktestCommand() {}

    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (IllegalArgumentException e) {
            // Also InvalidParameterException: a job parameter the job would refuse.
            System.err.println(e.getMessage());
            System.err.println();
            System.err.print(USAGE);
            status = 2;
        } catch (Exception e) {
            LOG.error("The backtest failed", e);
            status = 1;
        }
        // Flink and Kafka leave non-daemon threads behind; the work is done.
        System.exit(status);
    }

    /** Runs a command; returns the exit status. */
    static int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        Map<String, String> options = pairs(args, 1);
        switch (command) {
            case "record" -> {
                Path out = Path.of(required(options, "out"));
                TopicRange range = range(options);
                rejectUnknown(options, "record");
                long records;
                try (Recording.Writer writer = new Recording.Writer(out)) {
                    records = TopicRecorder.record(range, writer);
                }
                System.out.println("Recorded " + records + " records to " + out);
                return 0;
            }
            case "backtest" -> {
                String from = required(options, "from");
                Path report = Path.of(options.getOrDefault("report", "backtest-report.html"));
                options.remove("report");
                int top = integer(options, "top", 50);
                int partitions = integer(options, "replay.partitions", 0);
                String compare = options.remove("compare");
                Recording recording;
                String input;
                Path temporary = null;
                if (from.equals("kafka")) {
                    TopicRange range = range(options);
                    temporary = Files.createTempFile("flinkwatch-backtest-", ".jsonl");
                    try (Recording.Writer writer = new Recording.Writer(temporary)) {
                        TopicRecorder.record(range, writer);
                    }
                    recording = new Recording(temporary);
                    input =
                            "topic "
                                    + range.topic()
                                    + " at "
                                    + range.bootstrapServers()
                                    + " from "
                                    + options.getOrDefault("source.start-text", "earliest")
                                    + " to "
                                    + options.getOrDefault("source.end-text", "latest");
                    options.remove("source.start-text");
                    options.remove("source.end-text");
                } else {
                    Path file = Path.of(from);
                    if (!Files.isRegularFile(file)) {
                        throw new IllegalArgumentException(
                                "--from "
                                        + from
                                        + ": no such file (give a JSONL recording or kafka)");
                    }
                    recording = new Recording(file);
                    input = file.getFileName().toString();
                }
                try {
                    Backtest.Outcome outcome =
                            Backtest.run(
                                    new Backtest.Options(
                                            recording,
                                            input,
                                            options,
                                            compare == null ? null : pairs(split(compare)),
                                            top,
                                            partitions,
                                            report));
                    System.out.println(
                            "Backtest: "
                                    + outcome.episodes().size()
                                    + " episodes ("
                                    + outcome.baseline().events().size()
                                    + " alert events), "
                                    + outcome.plotted()
                                    + " plotted"
                                    + (outcome.changes() == null
                                            ? ""
                                            : ", "
                                                    + Comparison.changed(outcome.changes())
                                                    + " changed by the compared parameters")
                                    + "; report: "
                                    + report.toAbsolutePath());
                } finally {
                    if (temporary != null) {
                        Files.deleteIfExists(temporary);
                    }
                }
                return 0;
            }
            default ->
                    throw new IllegalArgumentException(
                            "Unknown command '" + command + "': expected backtest or record.");
        }
    }

    /** {@code --name value} and {@code --name=value} pairs, in order. */
    static Map<String, String> pairs(String[] args, int from) {
        return pairs(List.of(args).subList(from, args.length));
    }

    static Map<String, String> pairs(List<String> args) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException(
                        "Unexpected argument '" + arg + "': options are given as --name value.");
            }
            String name = arg.substring(2);
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new IllegalArgumentException("--" + name + " has no value.");
            }
            if (pairs.put(name, value) != null) {
                throw new IllegalArgumentException("--" + name + " is given twice.");
            }
        }
        return pairs;
    }

    /**
     * Splits the value of {@code --compare} into words as a shell would: blanks separate, single or
     * double quotes keep blanks (inhibition rules contain some).
     */
    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("--compare: unbalanced quote in '" + text + "'");
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException(
                    "--compare needs job parameters, e.g. \"--rule.lag-growing.for 3m\"");
        }
        return words;
    }

    private static TopicRange range(Map<String, String> options) throws IOException {
        String servers = required(options, "source.bootstrap-servers");
        String topic = required(options, "source.topic");
        String start = options.getOrDefault("source.start", "earliest");
        String end = options.getOrDefault("source.end", "latest");
        options.remove("source.start");
        options.remove("source.end");
        Properties properties = new Properties();
        String file = options.remove("source.properties-file");
        if (file != null) {
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                properties.load(in);
            }
        }
        for (String name : List.copyOf(options.keySet())) {
            if (name.startsWith("source.properties.")) {
                properties.setProperty(
                        name.substring("source.properties.".length()), options.remove(name));
            }
        }
        TopicRange range =
                new TopicRange(
                        servers,
                        topic,
                        TopicRange.Position.parse("--source.start", start),
                        TopicRange.Position.parse("--source.end", end),
                        properties);
        // For the report's heading.
        options.put("source.start-text", start);
        options.put("source.end-text", end);
        return range;
    }

    private static void rejectUnknown(Map<String, String> options, String command) {
        options.remove("source.start-text");
        options.remove("source.end-text");
        if (!options.isEmpty()) {
            throw new IllegalArgumentException(
                    "Unknown options of " + command + ": " + options.keySet());
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.remove(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required.");
        }
        return value;
    }

    private static int integer(Map<String, String> options, String name, int fallback) {
        String value = options.remove(name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid value '"
                            + value
                            + "' of --"
                            + name
                            + ": expected a whole number ≥ 0.");
        }
    }
}
