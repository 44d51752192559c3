package dev.modelhost.internal;

import dev.modelhost.internal.ReplicaSlots.Slot;
import dev.modelhost.internal.ReplicaSlots.State;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.Replica;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a pool's replicas: creating them on worker threads, replacing one that failed after an
 * exponential back-off (up to {@link HostSettings#maxReplicaRestarts()} times in a row), closing
 * those that drained or failed, and the status reason that tells operators (never callers) what
 * went wrong. It shares the {@link ReplicaPool}'s monitor: methods without their own
 * {@code synchronized (pool)} are called with it held, and calls into replicas run outside it.
 */
final class ReplicaSupervisor {

  private static final Logger log = LoggerFactory.getLogger(ReplicaSupervisor.class);

  private final ReplicaPool pool;
  private final ReplicaSlots slots;
  private final String service;
  private final ModelRuntime runtime;
  private final HostSettings settings;
  private final Executor workers;
  private final ScheduledExecutorService timer;
  private final Map<Integer, Integer> failuresInARow = new HashMap<>();
  private final TreeMap<Integer, String> problems = new TreeMap<>();
  private @Nullable String brokenReason;
  private int pendingCloses;

  ReplicaSupervisor(ReplicaPool pool, ReplicaSlots slots, String service, ModelRuntime runtime, HostSettings settings,
      Executor workers, ScheduledExecutorService timer) {
    this.pool = pool;
    this.slots = slots;
    this.service = service;
    this.runtime = runtime;
    this.settings = settings;
    this.workers = workers;
    this.timer = timer;
  }

  /** Starts creating the replica of {@code slot} after {@code delay}. */
  void start(Slot slot, Duration delay, List<Runnable> after) {
    Runnable submitCreation = () -> {
      try {
        workers.execute(() -> create(slot));
      } catch (RejectedExecutionException e) {
        abandonStart(slot);
      }
    };
    if (delay.isZero()) {
      after.add(submitCreation);
    } else {
      slot.scheduledStart = timer.schedule(submitCreation, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** The replica of {@code slot} failed with {@code problem}: replaces it after a back-off, or gives up. */
  void failed(Slot slot, String problem, List<Runnable> after) {
    log.warn("Replica {} of model service {} failed: {}", slot.index, service, problem);
    slot.state = State.FAILED;
    after.add(pool.onChange());
    long active = slots.activeCount();
    if (pool.shuttingDown() || active >= pool.target()) {
      return;
    }
    int failures = failuresInARow.merge(slot.index, 1, Integer::sum);
    if (failures <= settings.maxReplicaRestarts()) {
      Duration delay = settings.backoff(failures);
      problems.put(slot.index, "replica " + slot.index + " failed: " + problem + "; replacing it in " + delay.toMillis() + " ms");
      start(slots.addReplacement(slot.index), delay, after);
      return;
    }
    problems.put(slot.index, "replica " + slot.index + " failed " + failures + " times in a row: " + problem + "; not replaced");
    if (active == 0) {
      brokenReason = "every replica failed repeatedly; last: replica " + slot.index + " failed: " + problem;
      pool.failQueuedAsUnavailable(after);
    }
  }

  /** Replica {@code index} completed a request: its run of failures is over. */
  void succeeded(int index) {
    failuresInARow.remove(index);
  }

  /** An operator scaled the pool: every replica gets a fresh start. */
  void reset() {
    failuresInARow.clear();
    problems.clear();
    brokenReason = null;
  }

  boolean broken() {
    return brokenReason != null;
  }

  /** The status reason: why the pool is broken, else what happened to its replicas, else null. */
  @Nullable String reason() {
    return brokenReason != null ? brokenReason : problems.isEmpty() ? null : String.join("; ", problems.values());
  }

  /** Replicas being closed right now. */
  int pendingCloses() {
    return pendingCloses;
  }

  /** Closes the replica of a draining or failed slot once it runs nothing. */
  void retireIfIdle(Slot slot, List<Runnable> after) {
    if ((slot.state != State.DRAINING && slot.state != State.FAILED) || slot.inFlight > 0 || slot.creating
        || !slots.remove(slot)) {
      return;
    }
    if (slot.scheduledStart != null) {
      slot.scheduledStart.cancel(false);
    }
    Replica replica = slot.replica;
    if (replica != null) {
      pendingCloses++;
      after.add(() -> close(slot.index, replica));
    }
    after.add(pool.onChange());
    pool.maybeTerminate(after);
  }

  private void abandonStart(Slot slot) {
    List<Runnable> after = new ArrayList<>();
    synchronized (pool) {
      slots.remove(slot);
      pool.settle(after);
      pool.maybeTerminate(after);
    }
    after.forEach(Runnable::run);
  }

  private void create(Slot slot) {
    boolean wanted;
    synchronized (pool) {
      wanted = slot.state == State.STARTING && !pool.shuttingDown();
      slot.creating = wanted;
      slot.scheduledStart = null;
    }
    if (!wanted) {
      abandonStart(slot);
      return;
    }
    Replica replica = null;
    Throwable error = null;
    try {
      replica = runtime.createReplica(slot.index);
    } catch (Throwable t) {
      error = t;
    }
    List<Runnable> after = new ArrayList<>();
    synchronized (pool) {
      slot.creating = false;
      slot.replica = replica;
      if (error != null) {
        failed(slot, "could not be created: " + error, after);
      } else if (slot.state == State.STARTING && !pool.shuttingDown()) {
        slot.ready(Objects.requireNonNull(replica));
        problems.remove(slot.index);
        pool.dispatch(after);
        after.add(pool.onChange());
      } else {
        slot.state = State.DRAINING;
      }
      retireIfIdle(slot, after);
      pool.settle(after);
      pool.drainIfShuttingDown(after);
    }
    after.forEach(Runnable::run);
  }

  private void close(int index, Replica replica) {
    try {
      replica.close();
    } catch (RuntimeException e) {
      log.warn("Closing replica {} of model service {} failed", index, service, e);
    }
    List<Runnable> after = new ArrayList<>();
    synchronized (pool) {
      pendingCloses--;
      pool.settle(after);
      pool.maybeTerminate(after);
    }
    after.forEach(Runnable::run);
  }
}
