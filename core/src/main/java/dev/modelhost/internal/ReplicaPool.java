package dev.modelhost.internal;

import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.Replica;
import dev.modelhost.spi.ReplicaFailureException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas of one service and the bounded queue of requests waiting for them.
 *
 * <p>A request goes to the ready replica with the fewest requests in flight, provided it runs fewer
 * than its {@link Replica#capacity()}; otherwise it waits in the queue until a replica frees up or
 * its deadline passes. The pool only counts requests in flight per replica, so a replica that
 * batches its requests simply reports a larger capacity.
 *
 * <p>Scaling up starts replicas; scaling down drains them (a draining replica takes no new work and
 * is closed once idle). A replica that fails is closed and replaced after an exponential back-off,
 * up to {@link HostSettings#maxReplicaRestarts()} times in a row. State changes happen under this
 * object's monitor; calls into replicas, tasks and the change callback happen outside it.
 */
final class ReplicaPool {

  private static final Logger log = LoggerFactory.getLogger(ReplicaPool.class);
  private static final Duration RETRY_BUSY = Duration.ofSeconds(1);
  private static final Duration RETRY_NO_REPLICAS = Duration.ofSeconds(10);

  /**
   * A request as the pool sees it: a generation, or a pass-through call that holds a replica's
   * place while the runtime answers it. Exactly one of {@code succeeded} and {@code failed} is
   * invoked, once; {@code started} and {@code run} only if the request reached a replica.
   */
  interface Task {
    Cancellation cancellation();

    /** The request left the queue and runs on a replica now. */
    void started();

    /** Runs the request on {@code replica}, returning when it has ended. */
    void run(Replica replica);

    void succeeded();

    /** The request failed, was cancelled or expired while it waited. */
    void failed(ModelhostException error);
  }

  /** What the service shows of the pool. */
  record Health(int readyReplicas, boolean scaling, boolean broken, @Nullable String reason, Load load) {}

  /** The pool's work right now. */
  record Load(int busyReplicas, int inFlightRequests, int queuedRequests) {
    static final Load IDLE = new Load(0, 0, 0);
  }

  private enum State { STARTING, READY, DRAINING, FAILED }

  private static final class Slot {
    final int index;
    State state = State.STARTING;
    @Nullable Replica replica;
    int capacity = 1;
    int inFlight;
    boolean creating;
    @Nullable ScheduledFuture<?> scheduledStart;
    final Set<Cancellation> running = new HashSet<>();

    Slot(int index) {
      this.index = index;
    }
  }

  private static final class Waiting {
    final Task task;
    @Nullable ScheduledFuture<?> expiry;

    Waiting(Task task) {
      this.task = task;
    }
  }

  private final String service;
  private final ModelRuntime runtime;
  private final HostSettings settings;
  private final Executor workers;
  private final ScheduledExecutorService timer;
  private final int queueCapacity;
  private final Duration requestTimeout;
  private final Runnable onChange;

  private final List<Slot> slots = new ArrayList<>();
  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  private final Map<Integer, Integer> failuresInARow = new HashMap<>();
  private final TreeMap<Integer, String> problems = new TreeMap<>();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private int target;
  private boolean scaling;
  private @Nullable String brokenReason;
  private boolean shuttingDown;
  private boolean terminating;
  private int pendingCloses;

  /**
   * @param replicas the replicas already created, numbered from 0; they all start ready
   * @param onChange called (outside any lock) whenever the health may have changed
   */
  ReplicaPool(
      String service,
      ModelRuntime runtime,
      List<Replica> replicas,
      HostSettings settings,
      Executor workers,
      ScheduledExecutorService timer,
      int queueCapacity,
      Duration requestTimeout,
      Runnable onChange) {
    this.service = service;
    this.runtime = runtime;
    this.settings = settings;
    this.workers = workers;
    this.timer = timer;
    this.queueCapacity = queueCapacity;
    this.requestTimeout = requestTimeout;
    this.onChange = onChange;
    for (Replica replica : replicas) {
      Slot slot = new Slot(slots.size());
      slot.replica = replica;
      slot.capacity = Math.max(1, replica.capacity());
      slot.state = State.READY;
      slots.add(slot);
    }
    this.target = replicas.size();
  }

  /**
   * Runs the task on a replica now, or queues it until {@code deadlineNanos} ({@link System#nanoTime()}).
   *
   * @throws OverloadedException when the queue is full or the service has no replicas
   * @throws NotFoundException when the pool is shutting down
   */
  void submit(Task task, long deadlineNanos) {
    List<Runnable> after = new ArrayList<>();
    Waiting waiting = null;
    synchronized (this) {
      if (shuttingDown) {
        throw NotFoundException.model(service);
      }
      if (brokenReason != null) {
        throw unavailable();
      }
      if (target == 0) {
        throw new OverloadedException(
            "The model service `" + service + "` has no replicas (scaled to zero).", RETRY_NO_REPLICAS);
      }
      Slot slot = queue.isEmpty() ? leastLoaded() : null;
      if (slot != null) {
        start(slot, task, after);
      } else {
        if (queue.size() >= queueCapacity) {
          throw new OverloadedException("The model service `" + service + "` is overloaded: "
              + queue.size() + " requests are waiting for a replica. Please retry later.", RETRY_BUSY);
        }
        Waiting w = new Waiting(task);
        queue.addLast(w);
        long delay = Math.max(0, deadlineNanos - System.nanoTime());
        w.expiry = timer.schedule(() -> expire(w), delay, TimeUnit.NANOSECONDS);
        waiting = w;
      }
    }
    after.forEach(Runnable::run);
    if (waiting != null) {
      Waiting w = waiting;
      task.cancellation().onCancel(() -> withdraw(w));
    }
  }

  /** The runtime the replicas come from (for the capabilities it may have besides replicas). */
  ModelRuntime runtime() {
    return runtime;
  }

  /** Changes the replica count; returns at once. */
  void scale(int replicas) {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      if (shuttingDown) {
        return;
      }
      target = replicas;
      failuresInARow.clear();
      problems.clear();
      brokenReason = null;
      List<Slot> active = slots.stream().filter(ReplicaPool::isActive).toList();
      for (int i = active.size(); i < replicas; i++) {
        Slot slot = new Slot(freeIndex());
        slots.add(slot);
        startSlot(slot, Duration.ZERO, after);
      }
      if (active.size() > replicas) {
        // Drain the replicas that cost least to lose: starting ones, then the least busy, newest first.
        List<Slot> victims = active.stream()
            .sorted(Comparator.comparing((Slot s) -> s.state != State.STARTING)
                .thenComparingInt(s -> s.inFlight)
                .thenComparing(Comparator.comparingInt((Slot s) -> s.index).reversed()))
            .limit(active.size() - replicas)
            .toList();
        for (Slot slot : victims) {
          slot.state = State.DRAINING;
          retireIfIdle(slot, after);
        }
      }
      if (replicas == 0) {
        failQueued(() -> new OverloadedException(
            "The model service `" + service + "` has no replicas (scaled to zero).", RETRY_NO_REPLICAS), after);
      }
      scaling = true;
      settle(after);
      after.add(onChange);
    }
    after.forEach(Runnable::run);
  }

  /**
   * Stops taking requests. Queued requests still run while a replica is ready; when the last one
   * has finished, every replica and then the runtime are closed and the returned future completes.
   */
  CompletableFuture<Void> shutdown() {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      if (!shuttingDown) {
        shuttingDown = true;
        drainIfShuttingDown(after);
      }
    }
    after.forEach(Runnable::run);
    return terminated;
  }

  /** Cancels every request, queued or running (used when a grace period has run out). */
  void cancelAll() {
    List<Cancellation> cancellations = new ArrayList<>();
    synchronized (this) {
      queue.forEach(w -> cancellations.add(w.task.cancellation()));
      slots.forEach(s -> cancellations.addAll(s.running));
    }
    cancellations.forEach(Cancellation::cancel);
  }

  synchronized Health health() {
    int ready = (int) slots.stream().filter(s -> s.state == State.READY).count();
    String reason = brokenReason != null ? brokenReason
        : problems.isEmpty() ? null : String.join("; ", problems.values());
    int busy = 0;
    int inFlight = 0;
    for (Slot slot : slots) {
      busy += slot.inFlight > 0 ? 1 : 0;
      inFlight += slot.inFlight;
    }
    return new Health(ready, scaling, brokenReason != null, reason, new Load(busy, inFlight, queue.size()));
  }

  /** What callers see of a broken pool; the reason, which may quote a replica's exception, is the status's. */
  private BackendException unavailable() {
    return new BackendException("The model service `" + service + "` is unavailable: every replica failed"
        + " repeatedly.", 503, "service_unavailable", false, null);
  }

  private static boolean isActive(Slot slot) {
    return slot.state == State.STARTING || slot.state == State.READY;
  }

  private @Nullable Slot leastLoaded() {
    Slot best = null;
    for (Slot slot : slots) {
      if (slot.state == State.READY && slot.inFlight < slot.capacity
          && (best == null || slot.inFlight < best.inFlight)) {
        best = slot;
      }
    }
    return best;
  }

  private int freeIndex() {
    Set<Integer> used = new HashSet<>();
    slots.forEach(s -> used.add(s.index));
    int index = 0;
    while (used.contains(index)) {
      index++;
    }
    return index;
  }

  private void start(Slot slot, Task task, List<Runnable> after) {
    slot.inFlight++;
    slot.running.add(task.cancellation());
    after.add(() -> {
      try {
        workers.execute(() -> run(slot, task));
      } catch (RejectedExecutionException e) {
        finish(slot, task, new RequestCancelledException("The host is shutting down."));
      }
    });
  }

  private void run(Slot slot, Task task) {
    Cancellation cancellation = task.cancellation();
    if (cancellation.isCancelled()) {
      finish(slot, task, new RequestCancelledException("The request was cancelled."));
      return;
    }
    Throwable error = null;
    try {
      task.started();
      // Replica is set before a slot becomes READY and never changes afterwards.
      task.run(Objects.requireNonNull(slot.replica));
    } catch (Throwable t) {
      error = t;
    }
    finish(slot, task, error);
  }

  private void finish(Slot slot, Task task, @Nullable Throwable error) {
    Cancellation cancellation = task.cancellation();
    ModelhostException failure = null;
    String replicaProblem = null;
    if (error instanceof ReplicaFailureException e) {
      failure = e;
      replicaProblem = e.getMessage();
    } else if (error != null && cancellation.isCancelled()) {
      // Whatever a cancelled generation throws (an aborted upstream call, say) is the cancellation.
      failure = error instanceof RequestCancelledException e ? e
          : new RequestCancelledException("The request was cancelled.");
    } else if (error instanceof ModelhostException e) {
      failure = e;
    } else if (error != null) {
      // The caller learns that the replica failed; what it threw (paths, upstream URLs) goes only
      // to the log and the service's status reason.
      replicaProblem = error.toString();
      failure = new ReplicaFailureException("Replica " + slot.index + " of `" + service + "` failed.", error);
    }
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      slot.inFlight--;
      slot.running.remove(cancellation);
      if (replicaProblem != null) {
        replicaFailed(slot, replicaProblem, after);
      } else if (error == null) {
        failuresInARow.remove(slot.index);
      }
      retireIfIdle(slot, after);
      dispatch(after);
      drainIfShuttingDown(after);
      settle(after);
    }
    if (failure == null) {
      task.succeeded();
    } else {
      task.failed(failure);
    }
    after.forEach(Runnable::run);
  }

  private void replicaFailed(Slot slot, String problem, List<Runnable> after) {
    log.warn("Replica {} of model service {} failed: {}", slot.index, service, problem);
    slot.state = State.FAILED;
    after.add(onChange);
    if (shuttingDown) {
      return;
    }
    int failures = failuresInARow.merge(slot.index, 1, Integer::sum);
    long active = slots.stream().filter(ReplicaPool::isActive).count();
    if (active >= target) {
      return;
    }
    if (failures <= settings.maxReplicaRestarts()) {
      Duration delay = settings.backoff(failures);
      problems.put(slot.index, "replica " + slot.index + " failed: " + problem
          + "; replacing it in " + delay.toMillis() + " ms");
      Slot replacement = new Slot(slot.index);
      slots.add(replacement);
      startSlot(replacement, delay, after);
      return;
    }
    problems.put(slot.index, "replica " + slot.index + " failed " + failures + " times in a row: "
        + problem + "; not replaced");
    if (active == 0) {
      brokenReason = "every replica failed repeatedly; last: replica " + slot.index + " failed: " + problem;
      failQueued(this::unavailable, after);
    }
  }

  private void startSlot(Slot slot, Duration delay, List<Runnable> after) {
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

  private void abandonStart(Slot slot) {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      slots.remove(slot);
      settle(after);
      maybeTerminate(after);
    }
    after.forEach(Runnable::run);
  }

  private void create(Slot slot) {
    boolean wanted;
    synchronized (this) {
      wanted = slot.state == State.STARTING && !shuttingDown;
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
    synchronized (this) {
      slot.creating = false;
      slot.replica = replica;
      if (error != null) {
        replicaFailed(slot, "could not be created: " + error, after);
      } else if (slot.state == State.STARTING && !shuttingDown) {
        slot.capacity = Math.max(1, Objects.requireNonNull(replica).capacity());
        slot.state = State.READY;
        problems.remove(slot.index);
        dispatch(after);
        after.add(onChange);
      } else {
        slot.state = State.DRAINING;
      }
      retireIfIdle(slot, after);
      settle(after);
      drainIfShuttingDown(after);
    }
    after.forEach(Runnable::run);
  }

  private void retireIfIdle(Slot slot, List<Runnable> after) {
    if ((slot.state == State.DRAINING || slot.state == State.FAILED) && slot.inFlight == 0 && !slot.creating) {
      if (!slots.remove(slot)) {
        return;
      }
      if (slot.scheduledStart != null) {
        slot.scheduledStart.cancel(false);
      }
      Replica replica = slot.replica;
      if (replica != null) {
        pendingCloses++;
        after.add(() -> closeReplica(slot.index, replica));
      }
      after.add(onChange);
      maybeTerminate(after);
    }
  }

  private void closeReplica(int index, Replica replica) {
    try {
      replica.close();
    } catch (RuntimeException e) {
      log.warn("Closing replica {} of model service {} failed", index, service, e);
    }
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      pendingCloses--;
      settle(after);
      maybeTerminate(after);
    }
    after.forEach(Runnable::run);
  }

  private void dispatch(List<Runnable> after) {
    while (!queue.isEmpty()) {
      Slot slot = leastLoaded();
      if (slot == null) {
        return;
      }
      Waiting w = queue.pollFirst();
      if (w.expiry != null) {
        w.expiry.cancel(false);
      }
      start(slot, w.task, after);
    }
  }

  private void expire(Waiting w) {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      if (!queue.remove(w)) {
        return;
      }
      drainIfShuttingDown(after);
    }
    w.task.failed(new OverloadedException("The request waited more than " + requestTimeout.toMillis()
        + " ms for a replica of the model service `" + service + "`. Please retry later.", RETRY_BUSY));
    after.forEach(Runnable::run);
  }

  private void withdraw(Waiting w) {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      if (!queue.remove(w)) {
        return;
      }
      if (w.expiry != null) {
        w.expiry.cancel(false);
      }
      drainIfShuttingDown(after);
    }
    w.task.failed(new RequestCancelledException("The request was cancelled while it waited for a replica."));
    after.forEach(Runnable::run);
  }

  private void failQueued(Supplier<ModelhostException> error, List<Runnable> after) {
    while (!queue.isEmpty()) {
      Waiting w = queue.pollFirst();
      if (w.expiry != null) {
        w.expiry.cancel(false);
      }
      ModelhostException e = error.get();
      after.add(() -> w.task.failed(e));
    }
  }

  /**
   * While shutting down, fails the queue once no replica is ready (none can become ready any more),
   * and retires the replicas once the queue is empty.
   */
  private void drainIfShuttingDown(List<Runnable> after) {
    if (!shuttingDown) {
      return;
    }
    if (slots.stream().noneMatch(s -> s.state == State.READY)) {
      failQueued(() -> NotFoundException.model(service), after);
    }
    if (!queue.isEmpty()) {
      return;
    }
    for (Slot slot : List.copyOf(slots)) {
      if (slot.state == State.READY || (slot.state == State.STARTING && !slot.creating)) {
        slot.state = State.DRAINING;
      }
      retireIfIdle(slot, after);
    }
    maybeTerminate(after);
  }

  private void settle(List<Runnable> after) {
    // Scaling is done once the replicas scaled away are closed, their memory freed.
    if (scaling && pendingCloses == 0 && slots.size() == target
        && slots.stream().allMatch(s -> s.state == State.READY)) {
      scaling = false;
      after.add(onChange);
    }
  }

  private void maybeTerminate(List<Runnable> after) {
    if (shuttingDown && queue.isEmpty() && slots.isEmpty() && pendingCloses == 0 && !terminating) {
      terminating = true;
      after.add(this::closeRuntime);
    }
  }

  private void closeRuntime() {
    try {
      runtime.close();
    } catch (RuntimeException e) {
      log.warn("Closing the runtime of model service {} failed", service, e);
    }
    terminated.complete(null);
  }
}
