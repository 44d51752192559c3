package dev.modelhost.samples.server.bench;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One line of the suite's summary: a figure, its target and whether it is met.
 *
 * @param item what was measured
 * @param measured the figure as printed
 * @param target the target, or "reported" when the figure has none
 * @param met whether the target is met; null when there is no target
 */
record Verdict(String item, String measured, String target, @Nullable Boolean met) {

  static Verdict atLeast(String item, double value, double target) {
    return new Verdict(item, format(value), "≥ " + format(target), value >= target);
  }

  static Verdict atMost(String item, double value, double target, String unit) {
    return new Verdict(item, format(value) + unit, "≤ " + format(target) + unit, value <= target);
  }

  static Verdict reported(String item, String measured) {
    return new Verdict(item, measured, "reported", null);
  }

  String verdict() {
    return met == null ? "-" : met ? "MET" : "NOT MET";
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : "%.3f", value);
  }
}
