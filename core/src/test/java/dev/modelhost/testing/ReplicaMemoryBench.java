package dev.modelhost.testing;

import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The memory scenario the local backends' benchmark programs print: one service with 1 replica, the
 * same service scaled to 4, then 4 services of 1 replica. Each figure is taken after every replica
 * has served a request, so that its working memory (KV caches) is allocated.
 */
public final class ReplicaMemoryBench {

  private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(5);

  private ReplicaMemoryBench() {}

  /** Resident set sizes, in bytes, of the whole process in each setup. */
  public record Result(long noService, long oneReplica, long fourReplicas, long fourServices) {

    /** Process RSS with 4 replicas of one service over that with 1 replica. */
    public double replicaRatio() {
      return (double) fourReplicas / oneReplica;
    }
  }

  /** Prints resident and heap memory of each setup and its increase over no service. */
  public static Result print(String backend, ModelSource source) throws Exception {
    System.out.printf(Locale.ROOT, "%nmemory after every replica has served a request:%n");
    Footprint before = Footprint.now();
    System.out.printf(Locale.ROOT, "no service             : %s%n", before);
    try (ModelHost host = ModelHost.builder().build()) {
      String service = deploy(host, backend, "memory", source);
      exercise(host, List.of(service), 1);
      Footprint one = report("1 service x 1 replica  ", before);
      host.scale(service, 4);
      Await.until("4 ready replicas", LOAD_TIMEOUT, () -> host.describe(service).readyReplicas() == 4);
      exercise(host, List.of(service), 4);
      Footprint four = report("1 service x 4 replicas ", before);
      List<String> services = new ArrayList<>(List.of(service));
      host.scale(service, 1);
      Await.until("1 ready replica", LOAD_TIMEOUT, () -> host.describe(service).readyReplicas() == 1);
      for (int i = 1; i < 4; i++) {
        services.add(deploy(host, backend, "copy" + i, source));
      }
      exercise(host, services, 1);
      Footprint services4 = report("4 services x 1 replica ", before);
      return new Result(before.resident, one.resident, four.resident, services4.resident);
    }
  }

  private static Footprint report(String setup, Footprint before) throws Exception {
    Footprint now = Footprint.now();
    System.out.printf(Locale.ROOT, "%s: %s  (+RSS %.1f MB, +heap %.1f MB)%n", setup, now,
        (now.resident - before.resident) / 1e6, (now.heap - before.heap) / 1e6);
    return now;
  }

  private static String deploy(ModelHost host, String backend, String name, ModelSource source) {
    host.deploy(ServiceSpec.builder("bench", name).backend(backend).source(source).build());
    return host.awaitRunning("bench/" + name, LOAD_TIMEOUT).accessPath();
  }

  /** {@code concurrency} requests at once on every service, so every replica allocates its caches. */
  private static void exercise(ModelHost host, List<String> services, int concurrency) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(services.size() * concurrency);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (String service : services) {
        for (int i = 0; i < concurrency; i++) {
          running.add(pool.submit(() -> host.complete(CompletionRequest.of(service, "Once upon a time", 64))));
        }
      }
      for (Future<?> future : running) {
        future.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Resident memory split into anonymous and file-backed parts: weights mapped from a file (DJL's
   * float32 safetensors) count as file-backed, once per mapping, though the page cache holds one copy.
   */
  private record Footprint(long resident, long anonymous, long fileBacked, long heap) {

    static Footprint now() throws IOException, InterruptedException {
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(100);
      }
      List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
      Runtime runtime = Runtime.getRuntime();
      return new Footprint(field(status, "VmRSS:"), field(status, "RssAnon:"), field(status, "RssFile:"),
          runtime.totalMemory() - runtime.freeMemory());
    }

    private static long field(List<String> status, String name) {
      for (String line : status) {
        if (line.startsWith(name)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      throw new IllegalStateException("No " + name + " in /proc/self/status");
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "RSS %7.1f MB (anonymous %.1f, file-backed %.1f), heap %6.1f MB",
          resident / 1e6, anonymous / 1e6, fileBacked / 1e6, heap / 1e6);
    }
  }
}
