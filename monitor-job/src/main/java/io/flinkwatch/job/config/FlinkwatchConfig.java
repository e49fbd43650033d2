package io.flinkwatch.job.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The job parameters' values: those given, and the defaults for the rest. Created from the program
 * arguments ({@code --name value}); anything wrong fails here, before the job starts, with a
 * message naming the parameter, the value and what is allowed.
 */
public final class FlinkwatchConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<String, Object> values;
    private final Map<String, String> given;

    private FlinkwatchConfig(Map<String, Object> values, Map<String, String> given) {
        this.values = values;
        this.given = given;
    }

    /** All defaults. */
    public static FlinkwatchConfig defaults() {
        return fromMap(Map.of());
    }

    /**
     * Reads {@code --name value} pairs.
     *
     * @throws InvalidParameterException for an unknown parameter, a missing value or an invalid one
     */
    public static FlinkwatchConfig fromArgs(String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new InvalidParameterException(
                        "Unexpected argument '"
                                + arg
                                + "': job parameters are given as --name value.");
            }
            String name = arg.substring(2);
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new InvalidParameterException("Job parameter --" + name + " has no value.");
            }
            if (given.put(name, value) != null) {
                throw new InvalidParameterException("Job parameter --" + name + " is given twice.");
            }
        }
        return fromMap(given);
    }

    /** Reads parameter values by name. */
    public static FlinkwatchConfig fromMap(Map<String, String> given) {
        Map<String, Parameter<?>> declared = new HashMap<>();
        for (Parameter<?> parameter : FlinkwatchParameters.all()) {
            declared.put(parameter.name(), parameter);
        }
        for (String name : given.keySet()) {
            if (!declared.containsKey(name)) {
                throw new InvalidParameterException(
                        "Unknown job parameter --"
                                + name
                                + ". Known parameters: "
                                + String.join(", ", new TreeSet<>(declared.keySet()))
                                + ".");
            }
        }
        Map<String, Object> values = new HashMap<>();
        for (Parameter<?> parameter : FlinkwatchParameters.all()) {
            String text = given.get(parameter.name());
            values.put(
                    parameter.name(),
                    text == null ? parameter.defaultValue() : parameter.parse(text));
        }
        FlinkwatchConfig config = new FlinkwatchConfig(values, Map.copyOf(given));
        config.checkTogether();
        return config;
    }

    /** Checks the parameters that limit each other. */
    private void checkTogether() {
        int parallelism = get(FlinkwatchParameters.PARALLELISM);
        int max = get(FlinkwatchParameters.MAX_PARALLELISM);
        if (parallelism > max) {
            throw new InvalidParameterException(
                    "Job parameter --"
                            + FlinkwatchParameters.PARALLELISM.name()
                            + " is "
                            + parallelism
                            + ": allowed is at most --"
                            + FlinkwatchParameters.MAX_PARALLELISM.name()
                            + " ("
                            + max
                            + ").");
        }
        Duration skew = get(FlinkwatchParameters.MAX_CLOCK_SKEW);
        Duration future = get(FlinkwatchParameters.MAX_FUTURE_SKEW);
        if (future.compareTo(skew) < 0) {
            throw new InvalidParameterException(
                    "Job parameter --"
                            + FlinkwatchParameters.MAX_FUTURE_SKEW.name()
                            + " is "
                            + future
                            + ": allowed is at least --"
                            + FlinkwatchParameters.MAX_CLOCK_SKEW.name()
                            + " ("
                            + skew
                            + ").");
        }
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Parameter<T> parameter) {
        Object value = values.get(parameter.name());
        if (value == null && !values.containsKey(parameter.name())) {
            throw new IllegalArgumentException("undeclared job parameter " + parameter);
        }
        return (T) value;
    }

    /** The parameters given explicitly, by name (for logging what the job runs with). */
    public Map<String, String> given() {
        return given;
    }

    /** A copy with some parameters changed (for tests and the demo). */
    public FlinkwatchConfig with(Map<String, String> changes) {
        Map<String, String> merged = new HashMap<>(given);
        merged.putAll(changes);
        return fromMap(merged);
    }
}
