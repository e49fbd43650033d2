package io.flinkwatch.testing.backtest;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A recording: a JSONL file with one metric snapshot (the value of one Kafka record, as {@code
 * docs/snapshot-format.md} describes it) per line, in the order the records were read. Lines that
 * are not valid snapshots are kept: the pipeline routes them to its dead letters as it would live.
 * A file whose name ends in {@code .gz} is gzip-compressed (a day of a large fleet is tens of
 * gigabytes of JSON, a tenth of that compressed).
 */
public final class Recording {

    private final Path file;

    public Recording(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Hands over every non-blank line as UTF-8 bytes, in file order; returns how many. */
    public long forEachLine(Consumer<byte[]> consumer) {
        long lines = 0;
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(open(file), StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                consumer.accept(line.getBytes(StandardCharsets.UTF_8));
                lines++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the recording " + file, e);
        }
        return lines;
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return gzipped(file) ? new GZIPInputStream(in, 1 << 16) : in;
    }

    static boolean gzipped(Path file) {
        return file.getFileName().toString().endsWith(".gz");
    }

    /** Writes records to a recording, one per line (gzip-compressed for a {@code .gz} name). */
    public static final class Writer implements AutoCloseable {
        private final BufferedWriter out;
        private long lines;

        public Writer(Path file) throws IOException {
            OutputStream stream = Files.newOutputStream(file);
            if (gzipped(file)) {
                stream = new GZIPOutputStream(stream, 1 << 16);
            }
            this.out =
                    new BufferedWriter(
                            new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
        }

        /**
         * Writes one record's value as a line. Line breaks in it become spaces: outside JSON
         * strings they are only whitespace, inside them they are invalid either way.
         */
        public void write(byte[] value) throws IOException {
            String text = new String(value, StandardCharsets.UTF_8);
            out.write(text.replace('\n', ' ').replace('\r', ' '));
            out.write('\n');
            lines++;
        }

        public long lines() {
            return lines;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
