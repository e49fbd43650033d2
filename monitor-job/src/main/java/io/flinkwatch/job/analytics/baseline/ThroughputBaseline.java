package io.flinkwatch.job.analytics.baseline;

import java.util.Arrays;

/**
 * The expected throughput of one vertex, from hourly aggregates rather than raw samples: 168 slots,
 * one per hour of the week, so its state stays at a few kilobytes however long it runs.
 *
 * <p>Each slot holds the mean and sample count of the most recent hour that fell on it (the last
 * seven days: the flat baseline, and the hour-of-day baseline from the second day) and a running
 * mean of that hour of the week over past weeks (the hour-of-week baseline). When a new week
 * reaches a slot, the hour it held is folded into the seasonal mean: the average of up to the last
 * four weeks, then an exponential average with the same weight. The seasonal estimates add no
 * state: the hour-of-day baseline reads the same slots as the flat one.
 *
 * <p>Mutable; public fields so Flink serializes it as a POJO.
 */
public final class ThroughputBaseline {

    public static final int HOURS_PER_WEEK = 168;
    private static final long HOUR_MS = 3_600_000L;
    private static final int SEASONAL_WEEKS = 4;

    /** Epoch hour whose data the slot holds, or -1. */
    public int[] slotHour = filled(new int[HOURS_PER_WEEK]);

    public float[] slotMean = new float[HOURS_PER_WEEK];
    public short[] slotCount = new short[HOURS_PER_WEEK];
    public float[] seasonalMean = new float[HOURS_PER_WEEK];
    public byte[] seasonalWeeks = new byte[HOURS_PER_WEEK];

    /** Event time of the newest sample, for expiring a baseline nobody feeds any more. */
    public long newestSample = Long.MIN_VALUE;

    private static int[] filled(int[] hours) {
        Arrays.fill(hours, -1);
        return hours;
    }

    /** Adds one observation of the vertex's rate at {@code time}. */
    public void add(long time, double rate) {
        int hour = (int) Math.floorDiv(time, HOUR_MS);
        int slot = Math.floorMod(hour, HOURS_PER_WEEK);
        if (slotHour[slot] != hour) {
            if (slotHour[slot] >= 0 && slotHour[slot] < hour && slotCount[slot] > 0) {
                foldIntoSeason(slot);
            }
            if (slotHour[slot] > hour) {
                return; // older than what the slot holds: a week-old sample, no longer needed
            }
            slotHour[slot] = hour;
            slotMean[slot] = 0;
            slotCount[slot] = 0;
        }
        if (slotCount[slot] == Short.MAX_VALUE) {
            return;
        }
        int count = slotCount[slot] + 1;
        slotMean[slot] += (float) ((rate - slotMean[slot]) / count);
        slotCount[slot] = (short) count;
        newestSample = Math.max(newestSample, time);
    }

    private void foldIntoSeason(int slot) {
        int weeks = seasonalWeeks[slot];
        double weight = 1.0 / Math.min(weeks + 1, SEASONAL_WEEKS);
        seasonalMean[slot] += (float) ((slotMean[slot] - seasonalMean[slot]) * weight);
        if (weeks < Byte.MAX_VALUE) {
            seasonalWeeks[slot] = (byte) (weeks + 1);
        }
    }

    /**
     * The expected rate at {@code time}, or null when there is not enough history yet.
     *
     * <p>Seasonal mode uses the same hour of the week once {@code minWeeks} weeks hold it, else the
     * same hour of the day once a past day holds it (and the flat history is long enough), else the
     * flat average.
     *
     * @param window how far back the flat baseline averages (7 days in the article)
     * @param minHistoryMs at least this much of the window must have data (whole hours, before the
     *     one under way)
     * @param minWeeks past weeks needed before the hour-of-week estimate is used
     */
    public Estimate estimate(
            long time, BaselineMode mode, long window, long minHistoryMs, int minWeeks) {
        int hour = (int) Math.floorDiv(time, HOUR_MS);
        double fraction = (double) Math.floorMod(time, HOUR_MS) / HOUR_MS;
        if (mode == BaselineMode.SEASONAL) {
            Estimate weekly = hourOfWeek(hour, fraction, minWeeks);
            if (weekly != null) {
                return weekly;
            }
            if ((long) completedHoursWithData(hour) * HOUR_MS >= minHistoryMs) {
                Estimate daily = hourOfDay(hour, fraction);
                if (daily != null) {
                    return daily;
                }
            }
        }
        long windowHours = Math.min(HOURS_PER_WEEK, Math.max(1, window / HOUR_MS));
        double sum = 0;
        long count = 0;
        int hoursWithData = 0;
        int completedHours = 0;
        for (int s = 0; s < HOURS_PER_WEEK; s++) {
            int h = slotHour[s];
            if (h >= 0 && h <= hour && h > hour - windowHours && slotCount[s] > 0) {
                sum += (double) slotMean[s] * slotCount[s];
                count += slotCount[s];
                hoursWithData++;
                if (h < hour) {
                    completedHours++;
                }
            }
        }
        if (count == 0 || (long) completedHours * HOUR_MS < minHistoryMs) {
            return null;
        }
        return new Estimate(sum / count, BaselineKind.FLAT, hoursWithData);
    }

    private Estimate hourOfWeek(int hour, double fraction, int minWeeks) {
        int weeks = seasonalWeeksOf(hour);
        if (weeks < minWeeks || weeks == 0) {
            return null;
        }
        double rate =
                atEdges(
                        seasonalMeanOf(hour),
                        seasonalMeanOf(hour - 1),
                        seasonalMeanOf(hour + 1),
                        fraction);
        return new Estimate(rate, BaselineKind.HOUR_OF_WEEK, weeks);
    }

    /**
     * The mean of the same hour on the past days the slots still hold, capped at the most recent of
     * them: until a week of history shows the weekly shape, a first quiet day (a Saturday) is news
     * once, but the days after it are judged against it rather than against the busy days before.
     */
    private Estimate hourOfDay(int hour, double fraction) {
        double sum = 0;
        double latest = Double.NaN;
        int days = 0;
        for (int day = 1; day <= 7; day++) {
            int past = hour - 24 * day;
            double mean = meanOf(past);
            if (Double.isNaN(mean)) {
                continue;
            }
            double rate = atEdges(mean, meanOf(past - 1), meanOf(past + 1), fraction);
            if (days == 0) {
                latest = rate;
            }
            sum += rate;
            days++;
        }
        if (days == 0) {
            return null;
        }
        return new Estimate(Math.min(sum / days, latest), BaselineKind.HOUR_OF_DAY, days);
    }

    /**
     * An hourly mean at a point of its hour: the lower of the mean itself and the value
     * interpolated towards the neighbouring hour, so that a smooth ramp is followed within the hour
     * and a step at the hour's edge is not (either way the baseline errs low, never high).
     */
    private static double atEdges(double mean, double before, double after, double fraction) {
        double neighbour = fraction < 0.5 ? before : after;
        if (Double.isNaN(neighbour)) {
            return mean;
        }
        double interpolated = mean + (neighbour - mean) * Math.abs(fraction - 0.5);
        return Math.min(mean, interpolated);
    }

    /** The mean of epoch hour {@code hour} if a slot still holds it, else NaN. */
    private double meanOf(int hour) {
        int slot = Math.floorMod(hour, HOURS_PER_WEEK);
        return slotHour[slot] == hour && slotCount[slot] > 0 ? slotMean[slot] : Double.NaN;
    }

    /** Whether the slot of {@code hour} holds a past week's hour not yet folded into the season. */
    private boolean pendingFold(int slot, int hour) {
        return slotHour[slot] >= 0 && slotHour[slot] < hour && slotCount[slot] > 0;
    }

    /** The seasonal mean of {@code hour}'s hour of the week, with a pending fold; NaN if none. */
    private double seasonalMeanOf(int hour) {
        int slot = Math.floorMod(hour, HOURS_PER_WEEK);
        int weeks = seasonalWeeks[slot];
        if (pendingFold(slot, hour)) {
            return seasonalMean[slot]
                    + (slotMean[slot] - seasonalMean[slot]) / Math.min(weeks + 1, SEASONAL_WEEKS);
        }
        return weeks > 0 ? seasonalMean[slot] : Double.NaN;
    }

    private int seasonalWeeksOf(int hour) {
        int slot = Math.floorMod(hour, HOURS_PER_WEEK);
        return seasonalWeeks[slot] + (pendingFold(slot, hour) ? 1 : 0);
    }

    /**
     * Hours of the last week before {@code hour} that hold data: the hour under way does not count
     * yet, so that "a day of history" is a whole day (the first evening is not judged against a day
     * that has not ended).
     */
    private int completedHoursWithData(int hour) {
        int hours = 0;
        for (int s = 0; s < HOURS_PER_WEEK; s++) {
            int h = slotHour[s];
            if (h >= 0 && h < hour && h >= hour - HOURS_PER_WEEK && slotCount[s] > 0) {
                hours++;
            }
        }
        return hours;
    }

    /**
     * An expected rate.
     *
     * @param rate records per second
     * @param kind what it was estimated from
     * @param history hours of data behind a flat estimate, days behind an hour-of-day one, weeks
     *     behind an hour-of-week one
     */
    public record Estimate(double rate, BaselineKind kind, int history) {}
}
