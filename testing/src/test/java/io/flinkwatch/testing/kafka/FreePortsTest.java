package io.flinkwatch.testing.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void neverHandsOutTheSamePortTwice() {
        // The kernel picks from about 28,000 ephemeral ports: 1,000 picks of released ports repeat
        // one with near certainty, which is what a test asking for two ports in a row ran into.
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            assertThat(ports.add(FreePorts.next())).as("port #%d is new", i).isTrue();
        }
    }
}
