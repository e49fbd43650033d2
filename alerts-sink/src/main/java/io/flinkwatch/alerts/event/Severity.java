package io.flinkwatch.alerts.event;

/** How urgent an alert is: critical alerts page on-call, warnings notify a channel. */
public enum Severity {
    CRITICAL("critical"),
    WARNING("warning");

    private final String label;

    Severity(String label) {
        this.label = label;
    }

    /** The value of the {@code severity} label, as Alertmanager routes expect it. */
    public String label() {
        return label;
    }

    public static Severity fromLabel(String label) {
        for (Severity severity : values()) {
            if (severity.label.equals(label)) {
                return severity;
            }
        }
        throw new IllegalArgumentException("unknown severity '" + label + "'");
    }
}
