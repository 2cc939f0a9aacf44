package dev.weft.bench.harness;

import java.util.Arrays;
import java.util.List;

/**
 * The median and range of one figure over repetitions; NaN values (not measured) are left out.
 * {@code results.json} keeps it {@link #rounded()}, NaN as {@code null}.
 *
 * @param median the middle value (the mean of the two middle ones for an even count), NaN if none
 * @param min    the smallest, NaN if none
 * @param max    the largest, NaN if none
 * @param n      how many values there were
 */
public record Stat(double median, double min, double max, int n) {

    static Stat of(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            return new Stat(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        int mid = v.length / 2;
        double median = v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
        return new Stat(median, v[0], v[v.length - 1], v.length);
    }

    static Stat of(double... values) {
        return of(Arrays.stream(values).boxed().toList());
    }

    boolean measured() {
        return n > 0;
    }

    /** The figures to three decimals, as {@code results.json} keeps them. */
    Stat rounded() {
        return new Stat(Report.round3(median), Report.round3(min), Report.round3(max), n);
    }
}
