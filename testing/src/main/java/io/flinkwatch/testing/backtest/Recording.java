package io.flinkwatch.testing.backtest;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A recording: a JSONL file with one metric snapshot (the value of one Kafka record, as {@code
 * docs/snapshot-format.md} describes it) per line, in the order the records were read. Lines that
 * are not valid snapshots are kept: the pipeline routes them to its dead letters as it would live.
 * Lines are bytes, not text, so that a record that is not valid UTF-8 stays exactly as invalid as
 * it was. A file whose name ends in {@code .gz} is gzip-compressed (a day of a large fleet is tens
 * of gigabytes of JSON, a tenth of that compressed).
 */
public final class Recording {

    private final Path file;

    public Recording(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /**
     * Hands over every non-blank line (without its line break), in file order; returns how many.
     */
    public long forEachLine(Consumer<byte[]> consumer) {
        long lines = 0;
        // Scans a buffer for line breaks: reading a byte at a time would dominate on gigabytes.
        try (InputStream in = open(file)) {
            byte[] buffer = new byte[1 << 16];
            ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
            int read;
            while ((read = in.read(buffer)) != -1) {
                int from = 0;
                for (int i = 0; i < read; i++) {
                    if (buffer[i] == '\n') {
                        line.write(buffer, from, i - from);
                        lines += emit(line, consumer);
                        from = i + 1;
                    }
                }
                line.write(buffer, from, read - from);
            }
            lines += emit(line, consumer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the recording " + file, e);
        }
        return lines;
    }

    /** Hands over the line collected so far unless it is blank; returns 1 if it did. */
    private static int emit(ByteArrayOutputStream line, Consumer<byte[]> consumer) {
        byte[] bytes = line.toByteArray();
        line.reset();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--; // A file written with CRLF line breaks.
        }
        if (blank(bytes, length)) {
            return 0;
        }
        consumer.accept(length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length));
        return 1;
    }

    private static boolean blank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
                return false;
            }
        }
        return true;
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
        private final OutputStream out;
        private long lines;

        public Writer(Path file) throws IOException {
            OutputStream stream = Files.newOutputStream(file);
            if (gzipped(file)) {
                stream = new GZIPOutputStream(stream, 1 << 16);
            }
            this.out = new BufferedOutputStream(stream, 1 << 16);
        }

        /**
         * Writes one record's value as a line. Line breaks in it become spaces: outside JSON
         * strings they are only whitespace, inside them they are invalid either way (and the bytes
         * 0x0A and 0x0D are never part of a multi-byte UTF-8 character).
         */
        public void write(byte[] value) throws IOException {
            byte[] line = value;
            for (int i = 0; i < line.length; i++) {
                if (line[i] == '\n' || line[i] == '\r') {
                    if (line == value) {
                        line = value.clone();
                    }
                    line[i] = ' ';
                }
            }
            out.write(line);
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
