package dev.modelhost.hub.internal;

import dev.modelhost.PullProgress;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.hub.HubSettings;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ModelFetcher.FileChooser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's pull: resolve the revision to a commit and its file list, let the backend choose the
 * files, ask the metadata of those not yet in the snapshot, then download them (a bounded number at
 * once) and link them into {@code snapshots/COMMIT/}. Offline, or when the hub cannot be reached
 * and the cache knows the revision, the cached snapshot is used as it is.
 */
public final class ModelPull {

  private static final Logger log = LoggerFactory.getLogger(ModelPull.class);

  private final HubSettings settings;
  private final HubModelId id;
  private final FileChooser chooser;
  private final Consumer<PullProgress> listener;
  private final Cancellation cancellation = new Cancellation();
  private final HubCache cache;

  public ModelPull(HubSettings settings, HubModelId id, FileChooser chooser, Consumer<PullProgress> listener,
      Cancellation cancellation) {
    this.settings = settings;
    this.id = id;
    this.chooser = chooser;
    this.listener = listener;
    this.cache = new HubCache(settings.cacheDir(), id);
    // One failed file cancels the others: they share this pull's own cancellation.
    cancellation.onCancel(this.cancellation::cancel);
  }

  /** Fetches and returns the snapshot folder. */
  public Path run() {
    if (settings.offline()) {
      return fromCache("HF_HUB_OFFLINE is set");
    }
    HubApi api = new HubApi(settings, HubApi.newClient(settings));
    HubApi.Revision revision;
    try {
      revision = api.revision(id, cancellation);
    } catch (IOException e) {
      if (cache.commitOf(id).isPresent()) {
        log.warn("The hub at {} cannot be reached ({}); serving {} from the cache.", settings.endpoint(), e.toString(), id);
        return fromCache("the hub cannot be reached");
      }
      throw new ModelLoadException("Cannot reach the hub at " + settings.endpoint() + " for " + id + ": " + e
          + ". Check the network or HF_ENDPOINT; with HF_HUB_OFFLINE=1 only models already in the cache are used.", e);
    }
    try {
      cache.recordRef(id, revision.commit());
      return download(api, revision.commit(), chosen(revision.files()));
    } catch (IOException e) {
      throw new ModelLoadException("Fetching " + id + " into " + settings.cacheDir() + " failed: " + e, e);
    }
  }

  private Path fromCache(String why) {
    String commit = cache.commitOf(id).orElseThrow(() -> notCached(why));
    List<String> files = cache.snapshotFiles(commit);
    if (files.isEmpty()) {
      throw notCached(why);
    }
    List<String> chosen = chosen(files);
    PullTracker tracker = new PullTracker(id.toString(), listener, null);
    long bytes = 0;
    try {
      for (String path : chosen) {
        bytes += Files.size(cache.snapshotFile(commit, path));
      }
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read the cached snapshot of " + id + ": " + e, e);
    }
    tracker.planned(chosen.size(), bytes, chosen.size(), bytes);
    return cache.snapshot(commit);
  }

  private ModelLoadException notCached(String why) {
    return new ModelLoadException(id + " is not in the model cache " + settings.cacheDir() + ", and " + why
        + ". Fetch it once with network access (HF_HUB_OFFLINE unset), or point HF_HUB_CACHE at a cache that has it.");
  }

  private List<String> chosen(List<String> available) {
    List<String> chosen = chooser.choose(available);
    Set<String> known = new HashSet<>(available);
    for (String path : chosen) {
      if (!known.contains(path)) {
        throw new IllegalStateException("The backend chose '" + path + "', which " + id + " does not have.");
      }
    }
    return List.copyOf(chosen);
  }

  private Path download(HubApi api, String commit, List<String> chosen) throws IOException {
    PullTracker tracker = new PullTracker(id.toString(), listener, PullTracker.terminalOrNull());
    List<String> missing = new ArrayList<>();
    long present = 0;
    for (String path : chosen) {
      Path file = cache.snapshotFile(commit, path);
      if (Files.isRegularFile(file)) {
        present += Files.size(file);
      } else {
        missing.add(path);
      }
    }
    int threads = Math.max(1, Math.min(settings.parallelDownloads(), missing.size()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, daemon("modelhost-hub-"));
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(daemon("modelhost-hub-watch-"));
    try {
      Map<String, HubApi.FileMetadata> metadata = new LinkedHashMap<>();
      List<HubApi.FileMetadata> asked = runAll(pool, missing.stream()
          .<Callable<HubApi.FileMetadata>>map(path -> () -> api.metadata(id, commit, path, cancellation)).toList());
      long bytes = present;
      for (int i = 0; i < missing.size(); i++) {
        metadata.put(missing.get(i), asked.get(i));
        bytes += Math.max(0, asked.get(i).size());
      }
      tracker.planned(chosen.size(), bytes, chosen.size() - missing.size(), present);
      BlobTransfer transfer = new BlobTransfer(api, cache, tracker, cancellation, watchdog,
          settings.idleTimeout(), settings.maxAttempts());
      runAll(pool, metadata.entrySet().stream().<Callable<Void>>map(entry -> () -> {
        String what = id + " file '" + entry.getKey() + "'";
        transfer.fetch(entry.getValue(), what);
        cache.link(commit, entry.getKey(), entry.getValue().etag());
        return null;
      }).toList());
      tracker.finished();
      return cache.snapshot(commit);
    } finally {
      pool.shutdownNow();
      watchdog.shutdownNow();
    }
  }

  /** Runs every task; the first failure cancels the rest and is thrown as it was. */
  private <T> List<T> runAll(ExecutorService pool, List<Callable<T>> tasks) throws IOException {
    List<Future<T>> futures = tasks.stream().map(pool::submit).toList();
    List<T> results = new ArrayList<>();
    try {
      for (Future<T> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (ExecutionException e) {
      cancellation.cancel();
      futures.forEach(f -> f.cancel(true));
      throw rethrow(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancellation.cancel();
      throw new RequestCancelledException("Interrupted while fetching " + id + ".");
    }
  }

  private static IOException rethrow(Throwable cause) {
    if (cause instanceof ModelhostException modelhost) {
      throw modelhost;
    }
    if (cause instanceof IOException io) {
      return io;
    }
    if (cause instanceof UncheckedIOException unchecked) {
      return unchecked.getCause();
    }
    if (cause instanceof RuntimeException runtime) {
      throw runtime;
    }
    throw new IllegalStateException(cause);
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
