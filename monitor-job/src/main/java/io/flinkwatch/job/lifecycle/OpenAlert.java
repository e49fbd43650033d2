package io.flinkwatch.job.lifecycle;

import io.flinkwatch.alerts.event.Evidence;
import java.util.Map;

/**
 * An alert that is firing.
 *
 * @param rule the alert name
 * @param labels its labels as published in its FIRING event (identifying labels and job_id): the
 *     RESOLVED event repeats them, so downstream systems that key alerts by label set match both
 * @param startsAt event time it started firing
 * @param evidence the evidence it fired with
 */
public record OpenAlert(String rule, Map<String, String> labels, long startsAt, Evidence evidence) {}
