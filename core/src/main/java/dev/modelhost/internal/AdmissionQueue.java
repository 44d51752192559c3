package dev.modelhost.internal;

import dev.modelhost.exception.ModelhostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The bounded line of requests waiting for a replica, first come first served, each with a timer
 * that fires at its deadline. Not thread-safe: the replica pool calls it under its lock, and runs
 * what it hands back ({@code after} actions, expiry callbacks) outside the lock.
 */
final class AdmissionQueue {

  /** A queued request and its deadline timer. */
  static final class Waiting {
    final ReplicaPool.Task task;
    final long deadlineNanos;
    @Nullable ScheduledFuture<?> expiry;

    private Waiting(ReplicaPool.Task task, long deadlineNanos) {
      this.task = task;
      this.deadlineNanos = deadlineNanos;
    }
  }

  private final ArrayDeque<Waiting> line = new ArrayDeque<>();
  private final int capacity;
  private final ScheduledExecutorService timer;

  AdmissionQueue(int capacity, ScheduledExecutorService timer) {
    this.capacity = capacity;
    this.timer = timer;
  }

  int size() {
    return line.size();
  }

  boolean isEmpty() {
    return line.isEmpty();
  }

  boolean isFull() {
    return line.size() >= capacity;
  }

  /** Queues {@code task}; {@code onExpiry} runs on the timer thread at {@code deadlineNanos} ({@link System#nanoTime()}). */
  Waiting add(ReplicaPool.Task task, long deadlineNanos, Consumer<Waiting> onExpiry) {
    Waiting waiting = new Waiting(task, deadlineNanos);
    line.addLast(waiting);
    long delay = Math.max(0, deadlineNanos - System.nanoTime());
    waiting.expiry = timer.schedule(() -> onExpiry.accept(waiting), delay, TimeUnit.NANOSECONDS);
    return waiting;
  }

  /** Takes {@code waiting} out of the line; false when it had left already (started, expired, withdrawn). */
  boolean remove(Waiting waiting) {
    if (!line.remove(waiting)) {
      return false;
    }
    stopTimer(waiting);
    return true;
  }

  /** The next request to start, or null. */
  ReplicaPool.@Nullable Task poll() {
    Waiting waiting = line.pollFirst();
    if (waiting == null) {
      return null;
    }
    stopTimer(waiting);
    return waiting.task;
  }

  /** Empties the line; each request is failed with a fresh {@code error} by an action added to {@code after}. */
  void failAll(Supplier<ModelhostException> error, List<Runnable> after) {
    ReplicaPool.Task task;
    while ((task = poll()) != null) {
      ReplicaPool.Task failing = task;
      ModelhostException e = error.get();
      after.add(() -> failing.failed(e));
    }
  }

  /**
   * Takes out the requests that, by {@code waitAt} (the expected wait at a queue position, or null
   * for no estimate), cannot start before their deadline; each is failed with {@code refusal} of
   * its wait by an action added to {@code after}. The others move up.
   */
  void refuseLate(IntFunction<@Nullable Duration> waitAt, Function<Duration, ModelhostException> refusal,
      List<Runnable> after) {
    long now = System.nanoTime();
    int position = 0;
    for (Iterator<Waiting> it = line.iterator(); it.hasNext(); ) {
      Waiting waiting = it.next();
      Duration wait = waitAt.apply(position + 1);
      if (wait != null && now + wait.toNanos() > waiting.deadlineNanos) {
        it.remove();
        stopTimer(waiting);
        ModelhostException e = refusal.apply(wait);
        after.add(() -> waiting.task.failed(e));
      } else {
        position++;
      }
    }
  }

  void forEach(Consumer<ReplicaPool.Task> action) {
    line.forEach(w -> action.accept(w.task));
  }

  private static void stopTimer(Waiting waiting) {
    if (waiting.expiry != null) {
      waiting.expiry.cancel(false);
    }
  }
}
