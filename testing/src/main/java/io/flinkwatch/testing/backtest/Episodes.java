package io.flinkwatch.testing.backtest;

import io.flinkwatch.alerts.event.AlertEvent;
import io.flinkwatch.alerts.event.AlertReason;
import io.flinkwatch.alerts.event.AlertStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Rebuilds episodes from alert events. Events of one alert instance share a fingerprint and come in
 * order (they are keyed by it on the alerts topic): each {@code STARTED} opens an episode, {@code
 * SUPPRESSED} and {@code UNSUPPRESSED} bound its suppressed spans, {@code RESOLVED} closes it.
 */
public final class Episodes {

    private Episodes() {}

    /**
     * @param events every event the pipeline published, in topic order per fingerprint
     * @param sustainFor the {@code for} duration of each alert name (pending span); zero if unknown
     */
    public static List<Episode> of(List<AlertEvent> events, Function<String, Duration> sustainFor) {
        Map<String, Open> open = new HashMap<>();
        List<Episode> episodes = new ArrayList<>();
        for (AlertEvent event : events) {
            String key = event.fingerprint();
            if (event.reason() == AlertReason.STARTED) {
                Open previous = open.remove(key);
                if (previous != null) {
                    // Never seen from the lifecycle (it resolves before it starts again), but a
                    // truncated recording must not merge two episodes.
                    episodes.add(previous.close(null, null));
                }
                open.put(key, new Open(event, sustainFor.apply(event.alertname())));
                continue;
            }
            Open episode = open.get(key);
            if (episode == null) {
                // The episode started before the recording: it begins with this event.
                episode = new Open(event, sustainFor.apply(event.alertname()));
                open.put(key, episode);
            }
            episode.events.add(event);
            if (event.reason() == AlertReason.SUPPRESSED && episode.suppressedSince == null) {
                episode.suppressedSince = event.updatedAt();
            } else if (event.reason() == AlertReason.UNSUPPRESSED) {
                episode.endSuppression(event.updatedAt());
            } else if (event.status() == AlertStatus.RESOLVED) {
                open.remove(key);
                episodes.add(episode.close(event.endsAt(), event.updatedAt()));
            }
        }
        for (Open episode : open.values()) {
            episodes.add(episode.close(null, null));
        }
        episodes.sort(
                Comparator.comparingLong(Episode::startsAt)
                        .thenComparing(Episode::alertname)
                        .thenComparing(Episode::fingerprint));
        return episodes;
    }

    private static final class Open {
        final AlertEvent first;
        final long pendingFrom;
        final List<AlertEvent> events = new ArrayList<>();
        final List<Episode.Span> suppressed = new ArrayList<>();
        Long suppressedSince;

        Open(AlertEvent first, Duration sustainFor) {
            this.first = first;
            this.pendingFrom = first.startsAt() - sustainFor.toMillis();
            events.add(first);
            if (first.suppressed()) {
                suppressedSince = first.updatedAt();
            }
        }

        void endSuppression(long at) {
            if (suppressedSince != null) {
                suppressed.add(new Episode.Span(suppressedSince, at));
                suppressedSince = null;
            }
        }

        Episode close(Long endsAt, Long resolvedAt) {
            if (suppressedSince != null) {
                // Suppressed until it ended (or until the recording ended: closed at firing's end).
                long until = endsAt != null ? Math.max(endsAt, suppressedSince) : Long.MAX_VALUE;
                suppressed.add(new Episode.Span(suppressedSince, until));
                suppressedSince = null;
            }
            return new Episode(
                    first.fingerprint(),
                    first.alertname(),
                    first.severity(),
                    new LinkedHashMap<>(first.labels()),
                    pendingFrom,
                    first.startsAt(),
                    endsAt,
                    resolvedAt,
                    suppressed,
                    first.evidence(),
                    events);
        }
    }
}
