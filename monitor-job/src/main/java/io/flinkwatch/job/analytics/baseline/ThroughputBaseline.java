package io.flinkwatch.job.analytics.baseline;

import java.util.Arrays;

/**
 * The expected throughput of one vertex, from hourly aggregates rather than raw samples: 168 slots,
 * one per hour of the week, so its state stays at a few kilobytes however long it runs.
 *
 * <p>Each slot holds the mean and sample count of the most recent hour that fell on it (the last
 * seven days, for the flat baseline) and a running mean of that hour of the week over past weeks
 * (the seasonal baseline). When a new week reaches a slot, the hour it held is folded into the
 * seasonal mean: the average of up to the last four weeks, then an exponential average with the
 * same weight.
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
     * @param window how far back the flat baseline averages (7 days in the article)
     * @param minHistoryMs at least this much of the window must have data (whole hours)
     * @param minWeeks past weeks needed before the seasonal estimate is used
     */
    public Estimate estimate(
            long time, BaselineMode mode, long window, long minHistoryMs, int minWeeks) {
        int hour = (int) Math.floorDiv(time, HOUR_MS);
        int slot = Math.floorMod(hour, HOURS_PER_WEEK);
        if (mode == BaselineMode.SEASONAL) {
            int weeks = seasonalWeeks[slot];
            // The slot still holds last week's same hour until this hour's first sample folds it
            // in.
            boolean pending = slotHour[slot] >= 0 && slotHour[slot] < hour && slotCount[slot] > 0;
            if (pending) {
                double mean =
                        seasonalMean[slot]
                                + (slotMean[slot] - seasonalMean[slot])
                                        / Math.min(weeks + 1, SEASONAL_WEEKS);
                weeks++;
                if (weeks >= minWeeks) {
                    return new Estimate(mean, BaselineMode.SEASONAL, weeks);
                }
            } else if (weeks >= minWeeks && weeks > 0) {
                return new Estimate(seasonalMean[slot], BaselineMode.SEASONAL, weeks);
            }
        }
        long windowHours = Math.min(HOURS_PER_WEEK, Math.max(1, window / HOUR_MS));
        double sum = 0;
        long count = 0;
        int hoursWithData = 0;
        for (int s = 0; s < HOURS_PER_WEEK; s++) {
            int h = slotHour[s];
            if (h >= 0 && h <= hour && h > hour - windowHours && slotCount[s] > 0) {
                sum += (double) slotMean[s] * slotCount[s];
                count += slotCount[s];
                hoursWithData++;
            }
        }
        if (count == 0 || (long) hoursWithData * HOUR_MS < minHistoryMs) {
            return null;
        }
        return new Estimate(sum / count, BaselineMode.FLAT, hoursWithData);
    }

    /**
     * An expected rate.
     *
     * @param rate records per second
     * @param mode how it was estimated (seasonal falls back to flat)
     * @param history hours of data behind a flat estimate, weeks behind a seasonal one
     */
    public record Estimate(double rate, BaselineMode mode, int history) {}
}
