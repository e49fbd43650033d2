package io.flinkwatch.job.config;

import java.io.Serializable;
import java.util.Objects;

/**
 * One declared job parameter: its name (given as {@code --name value}), what kind of value it
 * takes, its default, what it does, and how its value is read and checked. Declared once in {@link
 * FlinkwatchParameters}, which the README's parameter table is generated from.
 *
 * @param <T> the type of the value
 */
public final class Parameter<T> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final String type;
    private final String defaultText;
    private final String description;
    private final ValueParser<T> parser;

    Parameter(
            String name,
            String type,
            String defaultText,
            String description,
            ValueParser<T> parser) {
        this.name = Objects.requireNonNull(name);
        this.type = Objects.requireNonNull(type);
        this.defaultText = Objects.requireNonNull(defaultText);
        this.description = Objects.requireNonNull(description);
        this.parser = Objects.requireNonNull(parser);
        // Defaults are checked like user input, so a wrong default fails every test at once.
        parse(defaultText);
    }

    public String name() {
        return name;
    }

    /** What values are allowed, in words, e.g. "duration ≥ 1s". */
    public String type() {
        return type;
    }

    public String defaultText() {
        return defaultText;
    }

    public String description() {
        return description;
    }

    /** Reads a value given for this parameter; the exception message names parameter and value. */
    public T parse(String text) {
        try {
            return parser.parse(text.trim());
        } catch (InvalidParameterException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException(
                    "Invalid value '"
                            + text
                            + "' for job parameter --"
                            + name
                            + ": expected "
                            + e.getMessage()
                            + ".");
        }
    }

    public T defaultValue() {
        return parse(defaultText);
    }

    @Override
    public String toString() {
        return "--" + name;
    }
}
