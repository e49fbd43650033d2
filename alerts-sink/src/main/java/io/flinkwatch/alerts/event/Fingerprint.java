package io.flinkwatch.alerts.event;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The identity of an alert instance, computed like Prometheus' label-set fingerprint: 64-bit FNV-1a
 * over the label names and values in name order, each followed by the byte 0xFF, printed as 16 hex
 * digits.
 */
public final class Fingerprint {

    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;
    private static final byte SEPARATOR = (byte) 0xFF;

    private Fingerprint() {}

    public static String of(Map<String, String> labels) {
        long hash = OFFSET_BASIS;
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            hash = add(hash, label.getKey().getBytes(StandardCharsets.UTF_8));
            hash = add(hash, label.getValue().getBytes(StandardCharsets.UTF_8));
        }
        return String.format("%016x", hash);
    }

    private static long add(long hash, byte[] bytes) {
        for (byte b : bytes) {
            hash ^= (b & 0xFF);
            hash *= PRIME;
        }
        hash ^= (SEPARATOR & 0xFF);
        hash *= PRIME;
        return hash;
    }
}
