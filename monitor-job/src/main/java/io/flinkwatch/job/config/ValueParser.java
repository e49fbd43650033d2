package io.flinkwatch.job.config;

import java.io.Serializable;

/** Turns the text of a job parameter into its value, or says what was expected. */
@FunctionalInterface
public interface ValueParser<T> extends Serializable {

    /**
     * @throws IllegalArgumentException with a message that completes "expected ..." when the text
     *     is not a valid value
     */
    T parse(String text);
}
