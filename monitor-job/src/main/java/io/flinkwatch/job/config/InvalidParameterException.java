package io.flinkwatch.job.config;

/**
 * A job parameter with a value the job cannot run with. The message names the parameter, the value
 * and what is allowed, and is meant to be shown to the user as it is.
 */
public final class InvalidParameterException extends IllegalArgumentException {

    public InvalidParameterException(String message) {
        super(message);
    }
}
