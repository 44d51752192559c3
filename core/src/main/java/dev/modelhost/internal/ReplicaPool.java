package dev.modelhost.internal;

import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.internal.ReplicaSlots.Slot;
import dev.modelhost.internal.ReplicaSlots.State;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.Replica;
import dev.modelhost.spi.ReplicaFailureException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas of one service and the requests waiting for them. The concerns live in their own
 * classes and this one coordinates them under its monitor:
 *
 * <ul>
 *   <li>admission ({@link AdmissionQueue}, {@link WaitEstimator}): a request that cannot start at
 *       once waits in a bounded queue until its deadline, unless the estimated wait already passes
 *       the deadline or the queue is full: then it is refused at once with a Retry-After;
 *   <li>dispatch ({@link ReplicaSlots}): a request goes to the ready replica with the fewest
 *       requests in flight, below its {@link Replica#capacity()} (a batching replica reports its
 *       maximum batch);
 *   <li>supervision ({@link ReplicaSupervisor}): a replica that fails is closed and replaced after
 *       an exponential back-off, up to {@link HostSettings#maxReplicaRestarts()} times in a row;
 *   <li>scaling and draining (here): scaling up starts replicas, scaling down drains them (a
 *       draining replica takes no new work and is closed once idle); deletion drains them all and
 *       then closes the runtime.
 * </ul>
 *
 * <p>State changes happen under this object's monitor; calls into replicas, tasks and the change
 * callback happen outside it, collected as {@code after} actions.
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

  private final String service;
  private final ModelRuntime runtime;
  private final Executor workers;
  private final Duration requestTimeout;
  private final Runnable onChange;

  private final ReplicaSlots slots = new ReplicaSlots();
  private final AdmissionQueue queue;
  private final WaitEstimator waits = new WaitEstimator();
  private final ReplicaSupervisor supervisor;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private int target;
  private boolean scaling;
  private boolean shuttingDown;
  private boolean terminating;

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
    this.workers = workers;
    this.requestTimeout = requestTimeout;
    this.onChange = onChange;
    this.queue = new AdmissionQueue(queueCapacity, timer);
    this.supervisor = new ReplicaSupervisor(this, slots, service, runtime, settings, workers, timer);
    replicas.forEach(slots::addReady);
    this.target = replicas.size();
  }

  // ---- admission ----

  /**
   * Runs the task on a replica now, or queues it until {@code deadlineNanos} ({@link System#nanoTime()}).
   *
   * @throws OverloadedException when the queue is full, the estimated wait passes the deadline, or
   *     the service has no replicas
   * @throws NotFoundException when the pool is shutting down
   */
  void submit(Task task, long deadlineNanos) {
    List<Runnable> after = new ArrayList<>();
    AdmissionQueue.Waiting waiting = null;
    synchronized (this) {
      if (shuttingDown) {
        throw NotFoundException.model(service);
      }
      if (supervisor.broken()) {
        throw unavailable();
      }
      if (target == 0) {
        throw noReplicas();
      }
      Slot slot = queue.isEmpty() ? slots.leastLoaded() : null;
      if (slot != null) {
        start(slot, task, after);
      } else {
        Duration wait = waits.estimate(queue.size() + 1, slots.readyCapacity());
        if (queue.isFull()) {
          throw new OverloadedException("The model service `" + service + "` is overloaded: " + queue.size()
              + " requests are waiting for a replica. Please retry later.", retryAfter(wait));
        }
        if (wait != null && System.nanoTime() + wait.toNanos() > deadlineNanos) {
          throw tooLong(wait);
        }
        waiting = queue.add(task, deadlineNanos, this::expire);
      }
    }
    after.forEach(Runnable::run);
    if (waiting != null) {
      AdmissionQueue.Waiting w = waiting;
      task.cancellation().onCancel(() -> withdraw(w));
    }
  }

  private OverloadedException tooLong(Duration wait) {
    return new OverloadedException("The model service `" + service + "` is overloaded: the estimated wait for a"
        + " replica (" + wait.toMillis() + " ms) is longer than the request may wait. Please retry later.",
        retryAfter(wait));
  }

  /** When to come back: after the estimated wait (whole seconds, at least one), else after a second. */
  private static Duration retryAfter(@Nullable Duration wait) {
    if (wait == null) {
      return RETRY_BUSY;
    }
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    return Duration.ofSeconds(seconds);
  }

  private void expire(AdmissionQueue.Waiting w) {
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

  private void withdraw(AdmissionQueue.Waiting w) {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      if (!queue.remove(w)) {
        return;
      }
      drainIfShuttingDown(after);
    }
    w.task.failed(new RequestCancelledException("The request was cancelled while it waited for a replica."));
    after.forEach(Runnable::run);
  }

  /** What callers see of a broken pool; the reason, which may quote a replica's exception, is the status's. */
  private BackendException unavailable() {
    return new BackendException("The model service `" + service + "` is unavailable: every replica failed"
        + " repeatedly.", 503, "service_unavailable", false, null);
  }

  private OverloadedException noReplicas() {
    return new OverloadedException("The model service `" + service + "` has no replicas (scaled to zero).", RETRY_NO_REPLICAS);
  }

  // ---- dispatch ----

  /** The runtime the replicas come from (for the capabilities it may have besides replicas). */
  ModelRuntime runtime() {
    return runtime;
  }

  /** Starts queued requests on replicas with room. Called with the monitor held. */
  void dispatch(List<Runnable> after) {
    while (!queue.isEmpty()) {
      Slot slot = slots.leastLoaded();
      if (slot == null) {
        return;
      }
      start(slot, Objects.requireNonNull(queue.poll()), after);
    }
  }

  private void start(Slot slot, Task task, List<Runnable> after) {
    slot.inFlight++;
    slot.running.add(task.cancellation());
    after.add(() -> {
      try {
        workers.execute(() -> run(slot, task));
      } catch (RejectedExecutionException e) {
        finish(slot, task, new RequestCancelledException("The host is shutting down."), 0);
      }
    });
  }

  private void run(Slot slot, Task task) {
    Cancellation cancellation = task.cancellation();
    if (cancellation.isCancelled()) {
      finish(slot, task, new RequestCancelledException("The request was cancelled."), 0);
      return;
    }
    Throwable error = null;
    long started = System.nanoTime();
    try {
      task.started();
      // Replica is set before a slot becomes READY and never changes afterwards.
      task.run(Objects.requireNonNull(slot.replica));
    } catch (Throwable t) {
      error = t;
    }
    finish(slot, task, error, System.nanoTime() - started);
  }

  private void finish(Slot slot, Task task, @Nullable Throwable error, long serviceNanos) {
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
        supervisor.failed(slot, replicaProblem, after);
      } else if (error == null) {
        supervisor.succeeded(slot.index);
        waits.record(serviceNanos);
      }
      supervisor.retireIfIdle(slot, after);
      dispatch(after);
      // What was just learnt of the service time may show that queued requests will not make it.
      int capacity = slots.readyCapacity();
      queue.refuseLate(position -> waits.estimate(position, capacity), this::tooLong, after);
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

  // ---- scaling and draining ----

  /** Called with the monitor held, as are the other package-private state methods below. */
  boolean shuttingDown() {
    return shuttingDown;
  }

  int target() {
    return target;
  }

  Runnable onChange() {
    return onChange;
  }

  /** Every replica failed repeatedly: the waiting requests are failed. */
  void failQueuedAsUnavailable(List<Runnable> after) {
    queue.failAll(this::unavailable, after);
  }

  /** Changes the replica count; returns at once. */
  void scale(int replicas) {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      if (shuttingDown) {
        return;
      }
      target = replicas;
      supervisor.reset();
      long active = slots.activeCount();
      for (long i = active; i < replicas; i++) {
        supervisor.start(slots.addStarting(), Duration.ZERO, after);
      }
      if (active > replicas) {
        for (Slot slot : slots.cheapestToDrain((int) (active - replicas))) {
          slot.state = State.DRAINING;
          supervisor.retireIfIdle(slot, after);
        }
      }
      if (replicas == 0) {
        queue.failAll(this::noReplicas, after);
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
      queue.forEach(task -> cancellations.add(task.cancellation()));
      slots.forEachRunning(cancellations::add);
    }
    cancellations.forEach(Cancellation::cancel);
  }

  synchronized Health health() {
    return new Health(slots.readyCount(), scaling, supervisor.broken(), supervisor.reason(), slots.load(queue.size()));
  }

  /**
   * While shutting down, fails the queue once no replica is ready (none can become ready any more),
   * and retires the replicas once the queue is empty.
   */
  void drainIfShuttingDown(List<Runnable> after) {
    if (!shuttingDown) {
      return;
    }
    if (slots.readyCount() == 0) {
      queue.failAll(() -> NotFoundException.model(service), after);
    }
    if (!queue.isEmpty()) {
      return;
    }
    for (Slot slot : slots.all()) {
      if (slot.state == State.READY || (slot.state == State.STARTING && !slot.creating)) {
        slot.state = State.DRAINING;
      }
      supervisor.retireIfIdle(slot, after);
    }
    maybeTerminate(after);
  }

  void settle(List<Runnable> after) {
    // Scaling is done once the replicas scaled away are closed, their memory freed.
    if (scaling && supervisor.pendingCloses() == 0 && slots.size() == target && slots.allReady()) {
      scaling = false;
      after.add(onChange);
    }
  }

  void maybeTerminate(List<Runnable> after) {
    if (shuttingDown && queue.isEmpty() && slots.isEmpty() && supervisor.pendingCloses() == 0 && !terminating) {
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
