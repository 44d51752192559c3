package dev.modelhost.internal;

import dev.modelhost.Caller;
import dev.modelhost.ModelHost;
import dev.modelhost.ModelService;
import dev.modelhost.ResponseStream;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.Completion;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.ModelList;
import dev.modelhost.exception.ConflictException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.spi.BackendProvider;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ModelFetcher;
import dev.modelhost.spi.PassThroughCapable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The in-process {@link ModelHost}: a registry of services, each with its replica pool. Requests
 * run on the host's worker threads (daemon threads named {@code modelhost-worker-N}); queue
 * deadlines and replica restarts are timed by one {@code modelhost-timer} thread.
 */
public final class DefaultModelHost implements ModelHost {

  private static final Logger log = LoggerFactory.getLogger(DefaultModelHost.class);
  private static final Duration CANCEL_GRACE = Duration.ofSeconds(5);

  private final HostSettings settings;
  private final BackendRegistry backends;
  private final FetcherRegistry fetchers;
  private final ExecutorService workers;
  private final ScheduledThreadPoolExecutor timer;
  private final TreeMap<String, ManagedService> services = new TreeMap<>();
  private final RequestHandler handler;
  private volatile boolean closed;

  public DefaultModelHost(HostSettings settings) {
    this.settings = settings;
    this.backends = new BackendRegistry(settings.backends(), settings.classLoader());
    this.fetchers = new FetcherRegistry(settings.fetchers(), settings.classLoader());
    this.workers = Executors.newCachedThreadPool(daemonThreads("modelhost-worker-"));
    this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("modelhost-timer-"));
    this.timer.setRemoveOnCancelPolicy(true);
    this.handler = new RequestHandler(this::live, settings.usageSink(), settings.clock());
  }

  @Override
  public ModelService deploy(ServiceSpec spec) {
    checkOpen();
    BackendProvider backend = backends.get(spec.backend());
    checkOptions(spec, backend);
    ModelFetcher fetcher = fetchers.find(spec.source().location());
    ManagedService service;
    synchronized (services) {
      ManagedService existing = services.get(spec.accessPath());
      if (existing != null) {
        throw new ConflictException("A model service named `" + spec.accessPath() + "` already exists"
            + (existing.isLive() ? "." : " and is being deleted; retry when it is gone."), "name");
      }
      service = new ManagedService(spec, backend, fetcher, settings.clock().instant(), settings, workers, timer);
      services.put(spec.accessPath(), service);
    }
    workers.execute(service::load);
    return service.describe();
  }

  /** Refuses an option the service's backend does not read, so that none is silently ignored. */
  private static void checkOptions(ServiceSpec spec, BackendProvider backend) {
    Set<String> known = backend.optionNames();
    if (known == null) {
      return;
    }
    for (String option : new TreeSet<>(spec.source().options().keySet())) {
      if (!known.contains(option)) {
        throw new InvalidRequestException("The " + backend.name() + " backend has no option '" + option
            + "'. Its options: " + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))) + ".",
            "options." + option, "unknown_parameter");
      }
    }
  }

  @Override
  public ModelService describe(String accessPath) {
    return find(accessPath).describe();
  }

  @Override
  public List<ModelService> services() {
    return all().stream().map(ManagedService::describe).toList();
  }

  @Override
  public ModelService scale(String accessPath, int replicas) {
    checkOpen();
    return find(accessPath).scale(replicas);
  }

  @Override
  public void delete(String accessPath, String confirmName) {
    checkOpen();
    ManagedService service = find(accessPath);
    service.delete(confirmName, true).whenComplete((v, e) -> forget(service));
  }

  @Override
  public ModelService awaitRunning(String accessPath, Duration timeout) {
    return find(accessPath).awaitServing(timeout);
  }

  @Override
  public ModelList models() {
    List<ModelList.Model> models = new ArrayList<>();
    for (ManagedService service : all()) {
      if (service.isLive()) {
        models.add(ModelList.Model.of(service.spec().accessPath(), service.created().getEpochSecond(),
            service.spec().owner()));
      }
    }
    return ModelList.of(models);
  }

  @Override
  public ChatCompletion chat(ChatCompletionRequest request, Caller caller) {
    checkOpen();
    return handler.call(Protocol.CHAT, request, caller);
  }

  @Override
  public ResponseStream<ChatCompletionChunk> streamChat(ChatCompletionRequest request, Caller caller) {
    checkOpen();
    return handler.stream(Protocol.CHAT, request, caller);
  }

  @Override
  public Completion complete(CompletionRequest request, Caller caller) {
    checkOpen();
    return handler.call(Protocol.TEXT, request, caller);
  }

  @Override
  public ResponseStream<Completion> streamComplete(CompletionRequest request, Caller caller) {
    checkOpen();
    return handler.stream(Protocol.TEXT, request, caller);
  }

  @Override
  public JsonNode passThrough(PassThroughCapable.Endpoint endpoint, JsonNode body, Caller caller,
      Cancellation cancellation) {
    checkOpen();
    return handler.passThrough(endpoint, body, caller, cancellation);
  }

  /**
   * Deletes every service, letting requests in flight finish for up to the shutdown grace, then
   * cancels what is left and stops the threads.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<ManagedService> all = all();
    List<CompletableFuture<Void>> deletions = new ArrayList<>();
    for (ManagedService service : all) {
      deletions.add(service.delete(null, false).whenComplete((v, e) -> forget(service)));
    }
    CompletableFuture<Void> done = CompletableFuture.allOf(deletions.toArray(CompletableFuture[]::new));
    if (!awaitQuietly(done, settings.shutdownGrace())) {
      log.warn("Requests still running after the shutdown grace of {}; cancelling them", settings.shutdownGrace());
      all.forEach(ManagedService::cancelAll);
      if (!awaitQuietly(done, CANCEL_GRACE)) {
        log.warn("Some model services did not stop within {} after cancellation", CANCEL_GRACE);
      }
    }
    workers.shutdown();
    timer.shutdownNow();
  }

  private static boolean awaitQuietly(CompletableFuture<Void> done, Duration timeout) {
    try {
      done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("This ModelHost is closed.");
    }
  }

  private ManagedService find(String accessPath) {
    Objects.requireNonNull(accessPath, "accessPath");
    ManagedService service;
    synchronized (services) {
      service = services.get(accessPath);
    }
    if (service == null) {
      throw NotFoundException.model(accessPath);
    }
    return service;
  }

  /** A service that takes requests; deleting or deleted ones are not found. */
  private ManagedService live(String accessPath) {
    ManagedService service = find(accessPath);
    if (!service.isLive()) {
      throw NotFoundException.model(accessPath);
    }
    return service;
  }

  private List<ManagedService> all() {
    synchronized (services) {
      return List.copyOf(services.values());
    }
  }

  private void forget(ManagedService service) {
    synchronized (services) {
      services.remove(service.spec().accessPath(), service);
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public String toString() {
    String names;
    synchronized (services) {
      names = String.join(", ", services.keySet());
    }
    return "ModelHost[" + names + "]";
  }
}
