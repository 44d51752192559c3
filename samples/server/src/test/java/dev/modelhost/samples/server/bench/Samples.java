package dev.modelhost.samples.server.bench;

import java.util.Arrays;
import java.util.Locale;

/** Repeated measurements of one figure: median, spread and percentiles. */
record Samples(double[] values) {

  Samples {
    if (values.length == 0) {
      throw new IllegalArgumentException("No measurements.");
    }
    values = values.clone();
    Arrays.sort(values);
  }

  static Samples of(double... values) {
    return new Samples(values);
  }

  double median() {
    int mid = values.length / 2;
    return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  }

  double min() {
    return values[0];
  }

  double max() {
    return values[values.length - 1];
  }

  /** Nearest-rank percentile, {@code p} in (0, 100]. */
  double percentile(double p) {
    int rank = (int) Math.ceil(p / 100 * values.length);
    return values[Math.max(0, Math.min(values.length, rank) - 1)];
  }

  /** "median (min-max, n runs)" with {@code digits} decimals. */
  String describe(int digits) {
    String number = "%." + digits + "f";
    return String.format(Locale.ROOT, number + " (" + number + "-" + number + ", n=%d)", median(), min(), max(),
        values.length);
  }
}
