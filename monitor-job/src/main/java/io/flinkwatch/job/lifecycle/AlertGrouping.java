package io.flinkwatch.job.lifecycle;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Which labels group related alerts (by default cluster and job name), and the group key that
 * consumers batch by: the grouping labels in Alertmanager's notation, e.g. {@code
 * {cluster="prod",job_name="orders"}}.
 */
public record AlertGrouping(List<String> groupBy) implements Serializable {

    public String groupKey(Map<String, String> labels) {
        StringBuilder key = new StringBuilder("{");
        for (int i = 0; i < groupBy.size(); i++) {
            if (i > 0) {
                key.append(',');
            }
            String name = groupBy.get(i);
            key.append(name)
                    .append("=\"")
                    .append(escape(labels.getOrDefault(name, "")))
                    .append('"');
        }
        return key.append('}').toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
