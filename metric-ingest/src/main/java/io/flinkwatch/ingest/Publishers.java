package io.flinkwatch.ingest;

import io.flinkwatch.ingest.lag.ConsumerGroupLagPoller;
import io.flinkwatch.ingest.lag.LagPollerSettings;
import io.flinkwatch.ingest.prometheus.BridgeSettings;
import io.flinkwatch.ingest.prometheus.PrometheusBridge;
import io.flinkwatch.ingest.publish.Settings;
import java.util.Arrays;

/**
 * The publishers jar's command line: {@code java -jar metric-ingest-<version>-publishers.jar
 * prometheus-bridge|lag-poller --option value ...}. See docs/publishers.md for the options.
 *
 * <p>A command-line program: it prints usage and setting errors to standard error on purpose.
 */
public final class Publishers {

    private static final String USAGE =
            """
            usage: java -jar metric-ingest-publishers.jar <command> --option value ...
              prometheus-bridge  scrape Flink's Prometheus reporter endpoints and publish snapshots
                                 --targets URL[,URL...] --cluster NAME --bootstrap-servers HOST:PORT
                                 [--topic flink-metrics] [--interval 15s] [--flink-rest-url URL] ...
              lag-poller         publish consumer-group lag read with the Kafka Admin client
                                 --groups GROUP[=JOB][,...] --cluster NAME --bootstrap-servers HOST:PORT
                                 [--groups-bootstrap-servers HOST:PORT] [--interval 15s] ...
            Every option is described in docs/publishers.md.""";

    private Publishers() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.err.println(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        String[] options = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "prometheus-bridge" ->
                        PrometheusBridge.run(BridgeSettings.from(Settings.fromArgs(options)));
                case "lag-poller" ->
                        ConsumerGroupLagPoller.run(
                                LagPollerSettings.from(Settings.fromArgs(options)));
                default -> {
                    System.err.println("unknown command '" + args[0] + "'");
                    System.err.println(USAGE);
                    System.exit(2);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(args[0] + ": " + e.getMessage());
            System.exit(2);
        }
    }
}
