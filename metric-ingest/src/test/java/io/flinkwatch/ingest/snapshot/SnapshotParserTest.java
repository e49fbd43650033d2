package io.flinkwatch.ingest.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SnapshotParserTest {

    private static final Instant NOW = Instant.parse("2026-01-05T12:00:00Z");
    private static final long T = NOW.minusSeconds(60).toEpochMilli();

    private final SnapshotParser parser =
            new SnapshotParser(
                    new SnapshotLimits(4096, Duration.ofMinutes(10)),
                    Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void readsWhatTheWriterWritesForEveryScope() throws Exception {
        Topology topology =
                new Topology(
                        List.of(
                                new Topology.Vertex("a", "Source: orders", 2, List.of()),
                                new Topology.Vertex("b", "Sink: warehouse", 2, List.of("a"))));
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("uptime", 3_600_000.0);
        metrics.put("busyTimeMsPerSecond", 912.5);
        JobRef job =
                new JobRef(
                        "f00d",
                        "orders-cdc",
                        "RUNNING",
                        60_000L,
                        "java.lang.OutOfMemoryError: Java heap space");
        List<MetricSnapshot> snapshots =
                List.of(
                        new MetricSnapshot(T, "prod", job, Scope.job(), metrics, topology),
                        new MetricSnapshot(
                                T,
                                "prod",
                                JobRef.of("f00d", "orders-cdc"),
                                Scope.task("b", "Sink: warehouse", 1, 3),
                                metrics,
                                null),
                        new MetricSnapshot(
                                T,
                                "prod",
                                JobRef.of("f00d", "orders-cdc"),
                                Scope.operator(
                                        "a", "Source: orders", 0, 0, "op1", "Source: orders"),
                                Map.of("records-lag-max", 12.0),
                                null),
                        new MetricSnapshot(
                                T,
                                "prod",
                                JobRef.of("unknown", "orders-cdc"),
                                Scope.operator(
                                        "consumer-group:g",
                                        "Kafka consumer group g",
                                        0,
                                        -1,
                                        "topic:orders",
                                        "orders"),
                                Map.of("records-lag-max", 12.0, "consumer-group-lag-seconds", 3.5),
                                null,
                                true));
        for (MetricSnapshot snapshot : snapshots) {
            assertThat(parser.parse(SnapshotWriter.toJson(snapshot))).isEqualTo(snapshot);
        }
    }

    @Test
    void readsTheDocumentedExample() throws Exception {
        MetricSnapshot snapshot =
                parser.parse(
                        json(
                                "{'version':1,'timestamp':%d,'cluster':'prod-eu','job':{'id':'6f0e','name':'orders-cdc','status':'RUNNING'},"
                                        + "'scope':{'level':'task','vertexId':'bc76','vertexName':'Sink: warehouse','subtask':1,'attempt':0},"
                                        + "'metrics':{'busyTimeMsPerSecond':987.0,'isBackPressured':false,'numRecordsInPerSecond':1520}}",
                                T));
        assertThat(snapshot.timestamp()).isEqualTo(T);
        assertThat(snapshot.scope()).isEqualTo(Scope.task("bc76", "Sink: warehouse", 1, 0));
        assertThat(snapshot.metrics())
                .containsEntry("busyTimeMsPerSecond", 987.0)
                .containsEntry("isBackPressured", 0.0)
                .containsEntry("numRecordsInPerSecond", 1520.0);
        assertThat(snapshot.job().status()).isEqualTo("RUNNING");
    }

    @Test
    void skipsUnknownFieldsSoPublishersCanAddSome() throws Exception {
        MetricSnapshot snapshot =
                parser.parse(
                        json(
                                "{'version':1,'publisher':{'name':'x','tags':[1,2]},'timestamp':%d,'cluster':'c',"
                                        + "'job':{'id':'i','name':'n','owner':'team'},'scope':{'level':'job','note':'x'},'metrics':{}}",
                                T));
        assertThat(snapshot.metrics()).isEmpty();
    }

    @Test
    void readsAFailureCauseAsOneLineOfAtMostTheLongestString() throws Exception {
        String trace = "java.io.IOException: broker down\\n\\tat a.B.c(B.java:1)";
        MetricSnapshot snapshot =
                parser.parse(
                        json(
                                "{'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n',"
                                        + "'failureCause':'%s'},'scope':{'level':'job'},'metrics':{}}",
                                T, trace));
        assertThat(snapshot.job().failureCause())
                .isEqualTo("java.io.IOException: broker down  at a.B.c(B.java:1)");

        MetricSnapshot longCause =
                parser.parse(
                        json(
                                "{'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n',"
                                        + "'failureCause':'%s'},'scope':{'level':'job'},'metrics':{}}",
                                T, "x".repeat(2000)));
        assertThat(longCause.job().failureCause()).hasSize(SnapshotLimits.MAX_STRING_LENGTH);

        assertThatThrownBy(
                        () ->
                                parser.parse(
                                        json(
                                                "{'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n',"
                                                        + "'failureCause':7},'scope':{'level':'job'},'metrics':{}}",
                                                T)))
                .hasMessageContaining("job.failureCause must be a string");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not JSON | {'version':1, | MALFORMED_JSON | not valid JSON",
                "NaN token | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{'m':NaN}} | MALFORMED_JSON | not valid JSON",
                "array | [1,2] | MALFORMED_JSON | expected a JSON object",
                "trailing content | {'version':1}{} | MALFORMED_JSON | trailing content",
                "no version | {'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{}} | MISSING_FIELD | 'version'",
                "version 2 | {'version':2,'whatever':true} | UNSUPPORTED_VERSION | version 2 is not supported",
                "no timestamp | {'version':1,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{}} | MISSING_FIELD | 'timestamp'",
                "no job name | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i'},'scope':{'level':'job'},'metrics':{}} | MISSING_FIELD | 'job.name'",
                "no metrics | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'}} | MISSING_FIELD | 'metrics'",
                "task without vertex | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'task','subtask':0},'metrics':{}} | MISSING_FIELD | 'scope.vertexId'",
                "operator without name | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'operator','vertexId':'v','vertexName':'V','subtask':0},'metrics':{}} | MISSING_FIELD | 'scope.operatorName'",
                "timestamp as text | {'version':1,'timestamp':'2026-01-05','cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{}} | INVALID_FIELD | timestamp must be an integer, got a string",
                "metric as text | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{'uptime':'12'}} | INVALID_FIELD | metrics.uptime must be a number or a boolean, got a string",
                "metric null | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{'uptime':null}} | INVALID_FIELD | metrics.uptime must be a number or a boolean, got null",
                "infinite metric | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{'uptime':1e400}} | INVALID_FIELD | metrics.uptime is not a finite number",
                "duplicate metric | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{'a':1,'a':2}} | INVALID_FIELD | duplicate metric 'a'",
                "duplicate field | {'version':1,'timestamp':%d,'timestamp':%d,'cluster':'c'} | INVALID_FIELD | duplicate field 'timestamp'",
                "duplicate unknown field | {'version':1,'x':1,'timestamp':%d,'x':2,'cluster':'c'} | INVALID_FIELD | duplicate field 'x'",
                "empty cluster | {'version':1,'timestamp':%d,'cluster':' ','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{}} | INVALID_FIELD | cluster must not be empty",
                "negative subtask | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'task','vertexId':'v','vertexName':'V','subtask':-1},'metrics':{}} | INVALID_FIELD | scope.subtask must be a non-negative integer",
                "unknown level | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'cluster'},'metrics':{}} | INVALID_FIELD | scope.level 'cluster' is not one of job, task, operator",
                "unknown status | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n','status':'UP'},'scope':{'level':'job'},'metrics':{}} | INVALID_FIELD | job.status 'UP' is not a Flink job status",
                "unknown input | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{},'topology':{'vertices':[{'id':'a','name':'A','parallelism':1,'inputs':['z']}]}} | INVALID_FIELD | reads from unknown vertex id 'z'",
                "seconds not millis | {'version':1,'timestamp':1767600000,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{}} | IMPLAUSIBLE_TIMESTAMP | epoch milliseconds, not seconds",
                "external as text | {'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{},'external':'yes'} | INVALID_FIELD | external must be a boolean, got a string",
                "far future | {'version':1,'timestamp':1800000000000,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{}} | IMPLAUSIBLE_TIMESTAMP | ahead of this monitor's clock",
            })
    void rejectsWithAReasonAndAMessageThatNamesTheProblem(
            String description, String record, RejectionReason reason, String message) {
        assertThatThrownBy(() -> parser.parse(json(record, T, T)))
                .isInstanceOfSatisfying(
                        InvalidSnapshotException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(reason);
                            assertThat(e.getMessage()).contains(message);
                        });
    }

    @Test
    void rejectsRecordsOverTheSizeLimitBeforeParsing() {
        byte[] large = new byte[4097];
        assertThatThrownBy(() -> parser.parse(large))
                .isInstanceOfSatisfying(
                        InvalidSnapshotException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(RejectionReason.TOO_LARGE);
                            assertThat(e.getMessage()).contains("4097 bytes").contains("4096");
                        });
    }

    @Test
    void rejectsAnEmptyRecord() {
        assertThatThrownBy(() -> parser.parse(new byte[0]))
                .isInstanceOfSatisfying(
                        InvalidSnapshotException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED_JSON));
    }

    @Test
    void acceptsATimestampJustInsideTheFutureSkew() throws Exception {
        long soon = NOW.plus(Duration.ofMinutes(10)).toEpochMilli();
        MetricSnapshot snapshot =
                parser.parse(
                        json(
                                "{'version':1,'timestamp':%d,'cluster':'c','job':{'id':'i','name':'n'},'scope':{'level':'job'},'metrics':{}}",
                                soon));
        assertThat(snapshot.timestamp()).isEqualTo(soon);
    }

    private static byte[] json(String template, Object... args) {
        return String.format(template.replace('\'', '"'), args).getBytes(StandardCharsets.UTF_8);
    }
}
