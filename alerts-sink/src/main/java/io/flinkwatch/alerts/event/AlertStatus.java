package io.flinkwatch.alerts.event;

/** Whether an alert event opens or closes an alert. */
public enum AlertStatus {
    FIRING,
    RESOLVED
}
