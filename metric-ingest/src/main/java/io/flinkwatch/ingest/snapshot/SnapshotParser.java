package io.flinkwatch.ingest.snapshot;

import static io.flinkwatch.ingest.snapshot.RejectionReason.IMPLAUSIBLE_TIMESTAMP;
import static io.flinkwatch.ingest.snapshot.RejectionReason.INVALID_FIELD;
import static io.flinkwatch.ingest.snapshot.RejectionReason.MALFORMED_JSON;
import static io.flinkwatch.ingest.snapshot.RejectionReason.MISSING_FIELD;
import static io.flinkwatch.ingest.snapshot.RejectionReason.TOO_LARGE;
import static io.flinkwatch.ingest.snapshot.RejectionReason.UNSUPPORTED_VERSION;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.Serializable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Reads and validates one snapshot in the JSON wire format (version {@value #VERSION}).
 *
 * <p>Every problem is reported as an {@link InvalidSnapshotException} whose message names the field
 * and what was wrong, so a dead-letter record tells the publisher's owner what to fix. Unknown
 * fields are skipped, so publishers may add fields without breaking older monitors.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SnapshotParser implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The wire format version this parser reads and {@link SnapshotWriter} writes. */
    public static final int VERSION = 1;

    /** Reads doubles with Jackson's fast parser (every metric value is one). */
    private static final JsonFactory JSON =
            JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

    private static final List<String> TOP_LEVEL_FIELDS =
            List.of(
                    "version",
                    "timestamp",
                    "cluster",
                    "job",
                    "scope",
                    "metrics",
                    "topology",
                    "external");

    private final SnapshotLimits limits;
    private final Clock clock;

    public SnapshotParser(SnapshotLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    public static SnapshotParser withDefaults() {
        return new SnapshotParser(SnapshotLimits.defaults(), Clock.systemUTC());
    }

    public SnapshotLimits limits() {
        return limits;
    }

    public MetricSnapshot parse(byte[] bytes) throws InvalidSnapshotException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidSnapshotException(
                    MALFORMED_JSON, "empty record: expected a JSON object");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new InvalidSnapshotException(
                    TOO_LARGE,
                    "record has "
                            + bytes.length
                            + " bytes, more than the limit of "
                            + limits.maxBytes()
                            + " bytes");
        }
        Fields fields = new Fields();
        try (JsonParser parser = JSON.createParser(bytes)) {
            readTopLevel(parser, fields);
        } catch (JsonProcessingException e) {
            throw new InvalidSnapshotException(
                    MALFORMED_JSON,
                    "not valid JSON: "
                            + e.getOriginalMessage()
                            + " at line "
                            + e.getLocation().getLineNr()
                            + ", column "
                            + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new InvalidSnapshotException(
                    MALFORMED_JSON, "not readable as JSON: " + e.getMessage());
        }
        return fields.toSnapshot();
    }

    private void readTopLevel(JsonParser parser, Fields fields)
            throws IOException, InvalidSnapshotException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new InvalidSnapshotException(MALFORMED_JSON, "expected a JSON object");
        }
        // The known fields by bit, any others in a set made when one appears.
        int seenKnown = 0;
        Set<String> seenOthers = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            int known = TOP_LEVEL_FIELDS.indexOf(field);
            boolean duplicate;
            if (known >= 0) {
                duplicate = (seenKnown & (1 << known)) != 0;
                seenKnown |= 1 << known;
            } else {
                if (seenOthers == null) {
                    seenOthers = new HashSet<>();
                }
                duplicate = !seenOthers.add(field);
            }
            if (duplicate) {
                throw new InvalidSnapshotException(
                        INVALID_FIELD, "duplicate field '" + field + "'");
            }
            switch (field) {
                case "version" -> {
                    fields.version = readLong(parser, "version");
                    checkVersion(fields.version);
                }
                case "timestamp" -> fields.timestamp = readLong(parser, "timestamp");
                case "cluster" -> fields.cluster = readName(parser, "cluster");
                case "job" -> fields.job = readJob(parser);
                case "scope" -> fields.scope = readScope(parser);
                case "metrics" -> fields.metrics = readMetrics(parser);
                case "topology" -> fields.topology = readTopology(parser);
                case "external" -> fields.external = readBoolean(parser, "external");
                default -> parser.skipChildren();
            }
        }
        if (parser.nextToken() != null) {
            throw new InvalidSnapshotException(
                    MALFORMED_JSON, "trailing content after the JSON object");
        }
    }

    private JobRef readJob(JsonParser parser) throws IOException, InvalidSnapshotException {
        expectObject(parser, "job");
        String id = null;
        String name = null;
        String status = null;
        Long interval = null;
        String failureCause = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "id" -> id = readName(parser, "job.id");
                case "name" -> name = readName(parser, "job.name");
                case "status" -> {
                    status = readName(parser, "job.status");
                    if (!JobStatuses.ALL.contains(status)) {
                        throw new InvalidSnapshotException(
                                INVALID_FIELD,
                                "job.status '"
                                        + status
                                        + "' is not a Flink job status "
                                        + JobStatuses.ORDERED);
                    }
                }
                case "checkpointIntervalMs" -> {
                    interval = readLong(parser, "job.checkpointIntervalMs");
                    if (interval < 0) {
                        throw new InvalidSnapshotException(
                                INVALID_FIELD,
                                "job.checkpointIntervalMs must be 0 (checkpointing disabled) or positive, got "
                                        + interval);
                    }
                }
                case "failureCause" -> failureCause = readText(parser, "job.failureCause");
                default -> parser.skipChildren();
            }
        }
        require(id, "job.id");
        require(name, "job.name");
        return new JobRef(id, name, status, interval, failureCause);
    }

    private Scope readScope(JsonParser parser) throws IOException, InvalidSnapshotException {
        expectObject(parser, "scope");
        String levelName = null;
        String vertexId = null;
        String vertexName = null;
        Long subtask = null;
        Long attempt = null;
        String operatorId = null;
        String operatorName = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "level" -> levelName = readName(parser, "scope.level");
                case "vertexId" -> vertexId = readName(parser, "scope.vertexId");
                case "vertexName" -> vertexName = readName(parser, "scope.vertexName");
                case "subtask" -> subtask = readLong(parser, "scope.subtask");
                case "attempt" -> attempt = readLong(parser, "scope.attempt");
                case "operatorId" -> operatorId = readName(parser, "scope.operatorId");
                case "operatorName" -> operatorName = readName(parser, "scope.operatorName");
                default -> parser.skipChildren();
            }
        }
        require(levelName, "scope.level");
        ScopeLevel level = ScopeLevel.fromWireName(levelName);
        if (level == null) {
            throw new InvalidSnapshotException(
                    INVALID_FIELD,
                    "scope.level '" + levelName + "' is not one of job, task, operator");
        }
        if (level == ScopeLevel.JOB) {
            return Scope.job();
        }
        require(vertexId, "scope.vertexId");
        require(vertexName, "scope.vertexName");
        require(subtask, "scope.subtask");
        int subtaskIndex = checkIndex(subtask, "scope.subtask");
        int attemptNumber = attempt == null ? -1 : checkIndex(attempt, "scope.attempt");
        if (level == ScopeLevel.TASK) {
            return Scope.task(vertexId, vertexName, subtaskIndex, attemptNumber);
        }
        require(operatorName, "scope.operatorName");
        return Scope.operator(
                vertexId,
                vertexName,
                subtaskIndex,
                attemptNumber,
                operatorId == null ? operatorName : operatorId,
                operatorName);
    }

    private static int checkIndex(long value, String field) throws InvalidSnapshotException {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new InvalidSnapshotException(
                    INVALID_FIELD, field + " must be a non-negative integer, got " + value);
        }
        return (int) value;
    }

    private Map<String, Double> readMetrics(JsonParser parser)
            throws IOException, InvalidSnapshotException {
        expectObject(parser, "metrics");
        Map<String, Double> metrics = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            checkName(name, "metric name");
            JsonToken token = parser.nextToken();
            double value =
                    switch (token) {
                        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
                        case VALUE_TRUE -> 1.0;
                        case VALUE_FALSE -> 0.0;
                        default ->
                                throw new InvalidSnapshotException(
                                        INVALID_FIELD,
                                        "metrics."
                                                + name
                                                + " must be a number or a boolean, got "
                                                + describe(token));
                    };
            if (!Double.isFinite(value)) {
                throw new InvalidSnapshotException(
                        INVALID_FIELD, "metrics." + name + " is not a finite number");
            }
            if (metrics.put(name, value) != null) {
                throw new InvalidSnapshotException(
                        INVALID_FIELD, "duplicate metric '" + name + "'");
            }
            if (metrics.size() > SnapshotLimits.MAX_METRICS) {
                throw new InvalidSnapshotException(
                        INVALID_FIELD, "more than " + SnapshotLimits.MAX_METRICS + " metrics");
            }
        }
        return metrics;
    }

    private Topology readTopology(JsonParser parser) throws IOException, InvalidSnapshotException {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(parser, "topology");
        List<Topology.Vertex> vertices = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            if (field.equals("vertices")) {
                vertices = readVertices(parser);
            } else {
                parser.skipChildren();
            }
        }
        require(vertices, "topology.vertices");
        Set<String> ids = new HashSet<>();
        for (Topology.Vertex vertex : vertices) {
            if (!ids.add(vertex.id())) {
                throw new InvalidSnapshotException(
                        INVALID_FIELD,
                        "topology.vertices has vertex id '" + vertex.id() + "' twice");
            }
        }
        for (Topology.Vertex vertex : vertices) {
            for (String input : vertex.inputs()) {
                if (!ids.contains(input)) {
                    throw new InvalidSnapshotException(
                            INVALID_FIELD,
                            "topology vertex '"
                                    + vertex.name()
                                    + "' reads from unknown vertex id '"
                                    + input
                                    + "'");
                }
            }
        }
        return new Topology(vertices);
    }

    private List<Topology.Vertex> readVertices(JsonParser parser)
            throws IOException, InvalidSnapshotException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new InvalidSnapshotException(
                    INVALID_FIELD,
                    "topology.vertices must be an array, got " + describe(parser.currentToken()));
        }
        List<Topology.Vertex> vertices = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            expectObject(parser, "topology.vertices[" + vertices.size() + "]");
            String prefix = "topology.vertices[" + vertices.size() + "].";
            String id = null;
            String name = null;
            Long parallelism = null;
            List<String> inputs = List.of();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "id" -> id = readName(parser, prefix + "id");
                    case "name" -> name = readName(parser, prefix + "name");
                    case "parallelism" -> parallelism = readLong(parser, prefix + "parallelism");
                    case "inputs" -> inputs = readNames(parser, prefix + "inputs");
                    default -> parser.skipChildren();
                }
            }
            require(id, prefix + "id");
            require(name, prefix + "name");
            require(parallelism, prefix + "parallelism");
            if (parallelism < 1 || parallelism > Integer.MAX_VALUE) {
                throw new InvalidSnapshotException(
                        INVALID_FIELD,
                        prefix + "parallelism must be at least 1, got " + parallelism);
            }
            vertices.add(new Topology.Vertex(id, name, parallelism.intValue(), inputs));
            if (vertices.size() > SnapshotLimits.MAX_VERTICES) {
                throw new InvalidSnapshotException(
                        INVALID_FIELD,
                        "more than " + SnapshotLimits.MAX_VERTICES + " topology vertices");
            }
        }
        return vertices;
    }

    private List<String> readNames(JsonParser parser, String field)
            throws IOException, InvalidSnapshotException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new InvalidSnapshotException(
                    INVALID_FIELD,
                    field + " must be an array of strings, got " + describe(parser.currentToken()));
        }
        List<String> names = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            names.add(readName(parser, field + "[" + names.size() + "]"));
        }
        return names;
    }

    private static void expectObject(JsonParser parser, String field)
            throws InvalidSnapshotException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new InvalidSnapshotException(
                    INVALID_FIELD,
                    field + " must be an object, got " + describe(parser.currentToken()));
        }
    }

    private static long readLong(JsonParser parser, String field)
            throws IOException, InvalidSnapshotException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new InvalidSnapshotException(
                    INVALID_FIELD,
                    field + " must be an integer, got " + describe(parser.currentToken()));
        }
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new InvalidSnapshotException(INVALID_FIELD, field + " is out of range");
        }
        return parser.getLongValue();
    }

    private static boolean readBoolean(JsonParser parser, String field)
            throws InvalidSnapshotException {
        JsonToken token = parser.currentToken();
        if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
            throw new InvalidSnapshotException(
                    INVALID_FIELD, field + " must be a boolean, got " + describe(token));
        }
        return token == JsonToken.VALUE_TRUE;
    }

    private static String readName(JsonParser parser, String field)
            throws IOException, InvalidSnapshotException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new InvalidSnapshotException(
                    INVALID_FIELD,
                    field + " must be a string, got " + describe(parser.currentToken()));
        }
        String value = parser.getText();
        checkName(value, field);
        return value;
    }

    /**
     * Free text for people (an exception message): control characters (the line breaks of a stack
     * trace) become spaces and it is cut to the longest string allowed, rather than losing the
     * snapshot over it; blank is none.
     */
    @Nullable
    private static String readText(JsonParser parser, String field)
            throws IOException, InvalidSnapshotException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new InvalidSnapshotException(
                    INVALID_FIELD,
                    field + " must be a string, got " + describe(parser.currentToken()));
        }
        StringBuilder text = new StringBuilder();
        String value = parser.getText();
        for (int i = 0;
                i < value.length() && text.length() < SnapshotLimits.MAX_STRING_LENGTH;
                i++) {
            char c = value.charAt(i);
            text.append(Character.isISOControl(c) ? ' ' : c);
        }
        String cleaned = text.toString().strip();
        return cleaned.isEmpty() ? null : cleaned;
    }

    private static void checkName(String value, String field) throws InvalidSnapshotException {
        if (value.isBlank()) {
            throw new InvalidSnapshotException(INVALID_FIELD, field + " must not be empty");
        }
        if (value.length() > SnapshotLimits.MAX_STRING_LENGTH) {
            throw new InvalidSnapshotException(
                    INVALID_FIELD,
                    field + " is longer than " + SnapshotLimits.MAX_STRING_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new InvalidSnapshotException(
                        INVALID_FIELD, field + " contains a control character");
            }
        }
    }

    private static void require(Object value, String field) throws InvalidSnapshotException {
        if (value == null) {
            throw new InvalidSnapshotException(
                    MISSING_FIELD, "missing required field '" + field + "'");
        }
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "end of input";
        }
        return switch (token) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }

    /** The fields read so far; validated as a whole at the end. */
    private final class Fields {
        Long version;
        Long timestamp;
        String cluster;
        JobRef job;
        Scope scope;
        Map<String, Double> metrics;
        Topology topology;
        boolean external;

        MetricSnapshot toSnapshot() throws InvalidSnapshotException {
            require(version, "version");
            require(timestamp, "timestamp");
            require(cluster, "cluster");
            require(job, "job");
            require(scope, "scope");
            require(metrics, "metrics");
            checkTimestamp(timestamp);
            return new MetricSnapshot(timestamp, cluster, job, scope, metrics, topology, external);
        }
    }

    private static void checkVersion(long version) throws InvalidSnapshotException {
        if (version != VERSION) {
            throw new InvalidSnapshotException(
                    UNSUPPORTED_VERSION,
                    "wire format version "
                            + version
                            + " is not supported; this monitor reads version "
                            + VERSION);
        }
    }

    private void checkTimestamp(long timestamp) throws InvalidSnapshotException {
        if (timestamp < SnapshotLimits.MIN_TIMESTAMP) {
            throw new InvalidSnapshotException(
                    IMPLAUSIBLE_TIMESTAMP,
                    "timestamp "
                            + timestamp
                            + " ("
                            + Instant.ofEpochMilli(timestamp)
                            + ") is before 2000-01-01; timestamps are epoch milliseconds, not seconds");
        }
        long latest = clock.millis() + limits.maxFutureSkew().toMillis();
        if (timestamp > latest) {
            throw new InvalidSnapshotException(
                    IMPLAUSIBLE_TIMESTAMP,
                    "timestamp "
                            + Instant.ofEpochMilli(timestamp)
                            + " is more than "
                            + limits.maxFutureSkew()
                            + " ahead of this monitor's clock ("
                            + Instant.ofEpochMilli(clock.millis())
                            + ")");
        }
    }
}
