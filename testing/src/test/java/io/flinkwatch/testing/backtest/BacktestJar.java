package io.flinkwatch.testing.backtest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code testing-<version>-backtest.jar} as a user does: {@code java -jar}, no flags. */
final class BacktestJar {

    private BacktestJar() {}

    static Path jar() {
        String path = System.getProperty("flinkwatch.backtest.jar");
        if (path == null || !Files.isRegularFile(Path.of(path))) {
            throw new IllegalStateException(
                    "the backtest jar is missing (" + path + "): run through mvn verify");
        }
        return Path.of(path);
    }

    /** Runs the jar with {@code args}; fails unless it exits 0 within 8 minutes. */
    static String run(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, args[0] + "-", ".out");
        Path err = dir.resolve(args[0] + ".log");
        Process process =
                new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
        try {
            if (!process.waitFor(8, TimeUnit.MINUTES)) {
                throw new AssertionError(args[0] + " did not finish within 8 minutes; see " + err);
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        if (process.exitValue() != 0) {
            throw new AssertionError(
                    args[0]
                            + " exited with "
                            + process.exitValue()
                            + ":\n"
                            + stdout
                            + Files.readString(err, StandardCharsets.UTF_8));
        }
        return stdout;
    }
}
