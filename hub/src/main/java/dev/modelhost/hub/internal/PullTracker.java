package dev.modelhost.hub.internal;

import dev.modelhost.PullProgress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts one model's pull and shows it where a person looks: the service's status (through the
 * listener), and a progress bar on the terminal, or a log line every 10% or 10 s when the output
 * is not a terminal.
 */
final class PullTracker {

  private static final Logger log = LoggerFactory.getLogger(PullTracker.class);
  private static final long REPORT_EVERY_NANOS = 200_000_000L;
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;
  private static final int BAR_WIDTH = 24;

  private final String model;
  private final Consumer<PullProgress> listener;
  private final @Nullable PrintStream terminal;
  private final long started = System.nanoTime();
  private final AtomicLong bytesDone = new AtomicLong();
  private final AtomicInteger filesDone = new AtomicInteger();
  private volatile long bytesTotal;
  private volatile int filesTotal;
  private long lastReport;
  private long lastLog = started;
  private int lastLoggedTenth;

  /** @param terminal where to draw a bar; null to log lines instead */
  PullTracker(String model, Consumer<PullProgress> listener, @Nullable PrintStream terminal) {
    this.model = model;
    this.listener = listener;
    this.terminal = terminal;
  }

  /** The output to draw a bar on: standard error when the process has a terminal. */
  static @Nullable PrintStream terminalOrNull() {
    return System.console() != null ? System.err : null;
  }

  /** The pull's size: {@code files} and {@code bytes} in all, of which the cache already holds some. */
  void planned(int files, long bytes, int filesPresent, long bytesPresent) {
    filesTotal = files;
    bytesTotal = bytes;
    filesDone.addAndGet(filesPresent);
    bytesDone.addAndGet(bytesPresent);
    report(true);
  }

  void progressed(long bytes) {
    bytesDone.addAndGet(bytes);
    report(false);
  }

  /** A file is complete; {@code bytes} of it were not counted yet (found in the cache). */
  void fileDone(long bytes) {
    bytesDone.addAndGet(bytes);
    filesDone.incrementAndGet();
    report(true);
  }

  PullProgress snapshot() {
    int total = filesTotal;
    return new PullProgress(Math.max(0, bytesDone.get()), bytesTotal, Math.min(filesDone.get(), total), total);
  }

  /** The last report, drawn whatever the time since the one before. */
  void finished() {
    report(true);
    PullProgress done = snapshot();
    double seconds = (System.nanoTime() - started) / 1e9;
    if (terminal != null) {
      terminal.println();
    }
    log.info("Fetched {}: {} files, {} in {} s.", model, done.filesTotal(), size(done.bytesTotal()),
        String.format(Locale.ROOT, "%.1f", seconds));
  }

  private synchronized void report(boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastReport < REPORT_EVERY_NANOS) {
      return;
    }
    lastReport = now;
    PullProgress progress = snapshot();
    listener.accept(progress);
    if (terminal != null) {
      terminal.print("\r" + line(progress, now));
      terminal.flush();
      return;
    }
    int tenth = (int) (progress.fraction() * 10);
    if (tenth > lastLoggedTenth || now - lastLog >= LOG_EVERY_NANOS) {
      lastLoggedTenth = Math.max(lastLoggedTenth, tenth);
      lastLog = now;
      log.info(line(progress, now));
    }
  }

  private String line(PullProgress progress, long now) {
    double seconds = Math.max(1e-3, (now - started) / 1e9);
    double rate = progress.bytesDone() / seconds;
    int filled = (int) Math.round(progress.fraction() * BAR_WIDTH);
    String eta = rate <= 0 || progress.bytesTotal() == 0 ? "--"
        : Math.round((progress.bytesTotal() - progress.bytesDone()) / rate) + " s";
    return String.format(Locale.ROOT, "Pulling %s [%s%s] %3d%% %s/%s %s/s ETA %s, %d/%d files", model,
        "#".repeat(filled), " ".repeat(BAR_WIDTH - filled), Math.round(progress.fraction() * 100),
        size(progress.bytesDone()), size(progress.bytesTotal()), size((long) rate), eta,
        progress.filesDone(), progress.filesTotal());
  }

  private static String size(long bytes) {
    if (bytes < 1 << 20) {
      return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
    if (bytes < 1L << 30) {
      return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }
    return String.format(Locale.ROOT, "%.2f GB", bytes / (1024.0 * 1024 * 1024));
  }
}
