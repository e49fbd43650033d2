package io.flinkwatch.job.config;

import io.flinkwatch.alerts.alertmanager.UrlRedaction;

/**
 * A job parameter with a value the job cannot run with. The message names the parameter, the value
 * and what is allowed, and is meant to be shown to the user as it is; credentials in any URL it
 * quotes are masked ({@link UrlRedaction}), since it reaches logs and the Flink web UI.
 */
public final class InvalidParameterException extends IllegalArgumentException {

    public InvalidParameterException(String message) {
        super(UrlRedaction.redact(message));
    }
}
