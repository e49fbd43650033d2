package io.flinkwatch.alerts.event;

import java.util.Objects;

/**
 * An alert that inhibits another one, as listed in an event's {@code inhibitedBy}.
 *
 * @param alertname the inhibiting alert's name, e.g. {@code FlinkJobNotRunning}
 * @param fingerprint the inhibiting alert instance's fingerprint
 */
public record InhibitingAlert(String alertname, String fingerprint) {

    public InhibitingAlert {
        Objects.requireNonNull(alertname, "alertname");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }
}
