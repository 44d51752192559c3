package dev.modelhost.internal;

import dev.modelhost.ModelService;
import dev.modelhost.PullProgress;
import dev.modelhost.ServiceSpec;
import dev.modelhost.ServiceStatus;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ConflictException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.BackendProvider;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ModelDescriptor;
import dev.modelhost.spi.ModelFetcher;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.Replica;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One deployed service and its life cycle: {@code CREATING} while the backend loads the model and
 * the first replicas start, then {@code RUNNING} (or {@code SCALING} while replicas start or drain,
 * {@code FAILED} when the load or every replica failed), {@code DELETING} while requests in flight
 * finish, {@code DELETED} once the replicas and the runtime are closed.
 */
final class ManagedService {

  private static final Logger log = LoggerFactory.getLogger(ManagedService.class);
  private static final Duration RETRY_WHILE_LOADING = Duration.ofSeconds(5);

  private enum Phase { LOADING, LOADED, LOAD_FAILED, DELETING, DELETED }

  private final ServiceSpec spec;
  private final BackendProvider backend;
  private final @Nullable ModelFetcher fetcher;
  private final Cancellation fetching = new Cancellation();
  private final Instant created;
  private final HostSettings settings;
  private final Executor workers;
  private final ScheduledExecutorService timer;
  private final CompletableFuture<Void> deleted = new CompletableFuture<>();

  private Phase phase = Phase.LOADING;
  private int replicas;
  private @Nullable String loadFailure;
  private @Nullable Throwable loadFailureCause;
  private @Nullable ModelDescriptor descriptor;
  private @Nullable ReplicaPool pool;
  private @Nullable PullProgress pullProgress;

  /** @param fetcher brings the model into a local folder first; null when the backend reads the location */
  ManagedService(ServiceSpec spec, BackendProvider backend, @Nullable ModelFetcher fetcher, Instant created,
      HostSettings settings, Executor workers, ScheduledExecutorService timer) {
    this.spec = spec;
    this.backend = backend;
    this.fetcher = fetcher;
    this.created = created;
    this.settings = settings;
    this.workers = workers;
    this.timer = timer;
    this.replicas = spec.replicas();
  }

  ServiceSpec spec() {
    return spec;
  }

  Instant created() {
    return created;
  }

  /** Fetches the model where a fetcher is needed, loads it and starts the first replicas; runs on a worker thread. */
  void load() {
    ModelRuntime runtime = null;
    List<Replica> started = new ArrayList<>();
    try {
      runtime = backend.load(localSource(), spec.accessPath());
      ModelDescriptor loaded = runtime.descriptor();
      int count;
      synchronized (this) {
        count = replicas;
      }
      for (int i = 0; i < count; i++) {
        started.add(runtime.createReplica(i));
      }
      synchronized (this) {
        if (phase == Phase.LOADING) {
          descriptor = loaded;
          pool = new ReplicaPool(spec.accessPath(), runtime, started, settings, workers, timer,
              spec.queueCapacity(), spec.requestTimeout(), this::changed);
          phase = Phase.LOADED;
          if (replicas != count) {
            pool.scale(replicas);
          }
          notifyAll();
          return;
        }
      }
      // Deleted while loading.
      closeQuietly(started, runtime);
      markDeleted();
    } catch (Throwable t) {
      closeQuietly(started, runtime);
      synchronized (this) {
        if (phase == Phase.LOADING) {
          log.warn("Loading model service {} failed", spec.accessPath(), t);
          phase = Phase.LOAD_FAILED;
          loadFailure = "model load failed: " + (t instanceof ModelhostException ? t.getMessage() : t.toString());
          loadFailureCause = t;
          notifyAll();
          return;
        }
      }
      markDeleted();
    }
  }

  /** The spec's source, or where the fetcher put the model's files. */
  private ModelSource localSource() {
    ModelSource source = spec.source();
    if (fetcher == null) {
      return source;
    }
    Path folder = fetcher.fetch(source.location(), available -> backend.filesToFetch(available, source),
        this::pulled, fetching);
    return new ModelSource(folder.toString(), source.options());
  }

  private synchronized void pulled(PullProgress progress) {
    pullProgress = progress;
  }

  synchronized ModelService describe() {
    ServiceStatus status;
    String reason = null;
    int ready = 0;
    ReplicaPool.Load load = ReplicaPool.Load.IDLE;
    switch (phase) {
      case LOADING -> status = ServiceStatus.CREATING;
      case LOAD_FAILED -> {
        status = ServiceStatus.FAILED;
        reason = loadFailure;
      }
      case DELETING -> status = ServiceStatus.DELETING;
      case DELETED -> status = ServiceStatus.DELETED;
      default -> {
        ReplicaPool.Health health = Objects.requireNonNull(pool).health();
        status = health.broken() ? ServiceStatus.FAILED
            : health.scaling() ? ServiceStatus.SCALING : ServiceStatus.RUNNING;
        reason = health.reason();
        ready = health.readyReplicas();
        load = health.load();
      }
    }
    if (phase == Phase.DELETING && pool != null) {
      ReplicaPool.Health health = pool.health();
      ready = health.readyReplicas();
      load = health.load();
    }
    String modelType = descriptor != null ? descriptor.modelType()
        : spec.modelType() != null ? spec.modelType() : "unknown";
    return new ModelService(spec.name(), spec.owner(), spec.accessPath(), modelType, spec.backend(),
        spec.source().location(), replicas, ready, load.busyReplicas(), load.inFlightRequests(), load.queuedRequests(),
        spec.billing(), status, reason, phase == Phase.LOADING ? pullProgress : null, created);
  }

  /** Whether the service still takes requests and management calls. */
  synchronized boolean isLive() {
    return phase != Phase.DELETING && phase != Phase.DELETED;
  }

  /** The pool to send a request to, or why there is none. */
  synchronized ReplicaPool pool() {
    return switch (phase) {
      case LOADED -> Objects.requireNonNull(pool);
      case LOADING -> throw new OverloadedException(
          "The model service `" + spec.accessPath() + "` is still loading. Please retry later.", RETRY_WHILE_LOADING);
      // Why the load failed (paths, a backend's exception) is for the status reason, not for callers.
      case LOAD_FAILED -> throw new BackendException(
          "The model service `" + spec.accessPath() + "` is unavailable: its model failed to load.", 503,
          "service_unavailable", false, null);
      default -> throw NotFoundException.model(spec.accessPath());
    };
  }

  synchronized ModelService scale(int count) {
    ServiceSpec.checkReplicas(count);
    if (!isLive()) {
      throw NotFoundException.model(spec.accessPath());
    }
    if (phase == Phase.LOAD_FAILED) {
      throw new ConflictException("The model service `" + spec.accessPath() + "` failed to load and cannot be"
          + " scaled; delete it and deploy it again.", "replicas");
    }
    replicas = count;
    if (pool != null) {
      pool.scale(count);
    }
    return describe();
  }

  /**
   * Starts deleting: new requests get not-found at once, requests in flight finish.
   *
   * @param confirmName must be the service's name; null skips the check (host shutdown)
   */
  CompletableFuture<Void> delete(@Nullable String confirmName, boolean checkConfirmation) {
    ReplicaPool draining;
    synchronized (this) {
      if (!isLive()) {
        if (checkConfirmation) {
          throw NotFoundException.model(spec.accessPath());
        }
        return deleted;
      }
      if (checkConfirmation && !spec.name().equals(confirmName)) {
        throw new InvalidRequestException("To delete the model service `" + spec.accessPath()
            + "`, confirm with its name `" + spec.name() + "`; got `" + confirmName + "`.", "confirm", "invalid_value");
      }
      Phase was = phase;
      phase = Phase.DELETING;
      notifyAll();
      if (was == Phase.LOADING) {
        fetching.cancel();
      }
      draining = pool;
      if (was == Phase.LOAD_FAILED) {
        phase = Phase.DELETED;
        deleted.complete(null);
        return deleted;
      }
    }
    if (draining != null) {
      draining.shutdown().whenComplete((v, e) -> markDeleted());
    }
    return deleted;
  }

  /** Completes when the service is deleted. */
  CompletableFuture<Void> deleted() {
    return deleted;
  }

  /** Cancels every request of this service (the host's shutdown grace has run out). */
  void cancelAll() {
    ReplicaPool current;
    synchronized (this) {
      current = pool;
    }
    if (current != null) {
      current.cancelAll();
    }
  }

  /**
   * Waits until the service serves requests: it runs, or it scales with a replica ready.
   *
   * @throws ModelLoadException when it is or becomes FAILED
   * @throws OverloadedException when the timeout passes first
   */
  synchronized ModelService awaitServing(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      ModelService current = describe();
      switch (current.status()) {
        case RUNNING -> {
          return current;
        }
        case FAILED -> throw new ModelLoadException(
            "The model service `" + spec.accessPath() + "` failed: " + current.statusReason(), loadFailureCause);
        case DELETING, DELETED -> throw NotFoundException.model(spec.accessPath());
        default -> {
          if (current.status() == ServiceStatus.SCALING && current.readyReplicas() > 0) {
            return current;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new OverloadedException("The model service `" + spec.accessPath() + "` is not running after "
                + timeout.toMillis() + " ms (status " + current.status() + ").", RETRY_WHILE_LOADING);
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(this, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestCancelledException("Interrupted while waiting for `" + spec.accessPath() + "` to run.");
          }
        }
      }
    }
  }

  private synchronized void changed() {
    notifyAll();
  }

  private void markDeleted() {
    synchronized (this) {
      phase = Phase.DELETED;
      notifyAll();
    }
    deleted.complete(null);
  }

  private void closeQuietly(List<Replica> replicasToClose, @Nullable ModelRuntime runtime) {
    for (Replica replica : replicasToClose) {
      try {
        replica.close();
      } catch (RuntimeException e) {
        log.warn("Closing a replica of model service {} failed", spec.accessPath(), e);
      }
    }
    if (runtime != null) {
      try {
        runtime.close();
      } catch (RuntimeException e) {
        log.warn("Closing the runtime of model service {} failed", spec.accessPath(), e);
      }
    }
  }
}
