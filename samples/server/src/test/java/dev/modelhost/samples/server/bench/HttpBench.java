package dev.modelhost.samples.server.bench;

import dev.modelhost.ModelHost;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.backend.onnx.OnnxBackendProvider;
import dev.modelhost.backend.onnx.bench.DecodeBenchmark;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.samples.server.ModelhostServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The measurements over HTTP, against the real server program started in this process on a free
 * loopback port: time to first token under 1, 8 and 32 concurrent streaming clients (item 3), and
 * the latency a 1-token completion pays for HTTP over the same call in-process (item 5).
 */
final class HttpBench implements AutoCloseable {

  private static final String SERVICE = "bench/large";
  private static final String SMALL_SERVICE = "bench/small";
  private static final String API_KEY = "mh-benchmark-suite-owner-key-01";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final BenchmarkSuite.Options options;
  private final ConfigurableApplicationContext server;
  private final ModelHost host;
  private final String baseUrl;
  private final Path dataDir;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Time to first token and aggregate tokens/s at one concurrency level. */
  record Load(int clients, Samples ttftMillis, double tokensPerSecond, int requests) {}

  HttpBench(BenchmarkSuite.Options options) throws IOException {
    this.options = options;
    this.dataDir = Files.createTempDirectory("modelhost-bench-store");
    // Spring binds a list from one property source: the service is given whole on the command line.
    // A store of its own, so that every run starts from the same empty ledger and keys.
    List<String> args = new ArrayList<>(List.of("--port=0", "--MODELHOST_API_KEY=" + API_KEY,
        "--modelhost.store.data-dir=" + dataDir));
    int index = 0;
    if (options.items().contains(3)) {
      String service = "--modelhost.services[" + index++ + "].";
      args.addAll(List.of(service + "owner=bench", service + "name=large", service + "backend=" + OnnxBackendProvider.NAME,
          service + "location=" + options.model(), service + "options.threads=" + options.threads(),
          service + "request-timeout=" + LocalBench.QUEUE_TIMEOUT.toSeconds() + "s"));
      options.serviceOptions().forEach((key, value) -> args.add(service + "options." + key + "=" + value));
    }
    if (options.items().contains(5)) {
      // The small default model, so that the model's own time does not drown the difference.
      String service = "--modelhost.services[" + index + "].";
      args.addAll(List.of(service + "owner=bench", service + "name=small", service + "backend=" + OnnxBackendProvider.NAME,
          service + "location=" + DefaultModel.FORTUNE_LLAMA.directory(), service + "options.threads=" + options.threads()));
    }
    server = ModelhostServer.start(args.toArray(String[]::new));
    host = server.getBean(ModelHost.class);
    baseUrl = "http://127.0.0.1:" + ((WebServerApplicationContext) server).getWebServer().getPort();
  }

  /** Item 3: streaming completions from {@code clients} concurrent clients; TTFT of every request. */
  Load load(int clients, int[][] prompts) throws Exception {
    int requests = options.quick() ? clients : Math.max(16, 2 * clients);
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Double> ttft = new ArrayList<>();
    long tokens = 0;
    long start = System.nanoTime();
    try {
      List<Future<List<long[]>>> running = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        running.add(pool.submit(() -> {
          List<long[]> done = new ArrayList<>();
          for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
            done.add(stream(prompts[i % prompts.length]));
          }
          return done;
        }));
      }
      for (Future<List<long[]>> future : running) {
        for (long[] result : future.get()) {
          ttft.add(result[0] / 1e6);
          tokens += result[1];
        }
      }
    } finally {
      pool.shutdown();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Load(clients, Samples.of(ttft.stream().mapToDouble(Double::doubleValue).toArray()), tokens / seconds,
        requests);
  }

  /**
   * Item 5's figures in milliseconds: a 1-token completion over HTTP (the load generator's client)
   * and in-process, {@code GET /v1/models}, and the completion again with OkHttp (the OpenAI Java
   * SDK's transport) and with the JDK's {@code HttpClient}.
   */
  record Cost(Samples http, Samples inProcess, Samples models, Samples okHttp, Samples jdkHttp) {}

  /**
   * Item 5: latency of a 1-token completion over HTTP and the same request in-process, on the small
   * default model (so that the model's own time does not drown the difference), interleaved, after
   * {@code warmup} rounds that let the JIT compile both paths. The HTTP figure is taken with
   * {@link LoopbackHttpClient}, which adds next to nothing of its own; OkHttp and the JDK's client
   * are measured beside it, since what they add is the client's cost and not the server's. Beside
   * them {@code GET /v1/models}, which runs no model and writes no usage: the floor of the HTTP
   * path (loopback, Tomcat, filters, Spring) on this machine at this moment.
   */
  Cost httpCost(int warmup, int calls) throws Exception {
    host.awaitRunning(SMALL_SERVICE, Duration.ofMinutes(2));
    String body = JSON.writeValueAsString(Map.of("model", SMALL_SERVICE, "prompt", "Once upon a time",
        "max_tokens", 1));
    CompletionRequest request = CompletionRequest.of(SMALL_SERVICE, "Once upon a time", 1);
    Request okPost = new Request.Builder().url(baseUrl + "/v1/completions")
        .header("Authorization", "Bearer " + API_KEY)
        .post(RequestBody.create(body, MediaType.get("application/json")))
        .build();
    OkHttpClient okHttp = new OkHttpClient();
    URI base = URI.create(baseUrl);
    double[] http = new double[calls];
    double[] local = new double[calls];
    double[] floor = new double[calls];
    double[] ok = new double[calls];
    double[] jdk = new double[calls];
    try (LoopbackHttpClient loopback = new LoopbackHttpClient(base.getHost(), base.getPort(), API_KEY)) {
      for (int i = -warmup; i < calls; i++) {
        long start = System.nanoTime();
        LoopbackHttpClient.Answer completed = loopback.post("/v1/completions", body);
        long posted = System.nanoTime();
        host.complete(request);
        long inProcess = System.nanoTime();
        LoopbackHttpClient.Answer listed = loopback.get("/v1/models");
        long modelsListed = System.nanoTime();
        call(okHttp, okPost);
        long okPosted = System.nanoTime();
        HttpResponse<String> response = client.send(post(body), HttpResponse.BodyHandlers.ofString());
        long jdkPosted = System.nanoTime();
        checkOneToken(completed.status(), completed.body());
        if (listed.status() != 200 || !listed.body().contains(SMALL_SERVICE)) {
          throw new IOException("GET /v1/models answered " + listed.status() + ": " + listed.body());
        }
        checkOneToken(response.statusCode(), response.body());
        if (i >= 0) {
          http[i] = (posted - start) / 1e6;
          local[i] = (inProcess - posted) / 1e6;
          floor[i] = (modelsListed - inProcess) / 1e6;
          ok[i] = (okPosted - modelsListed) / 1e6;
          jdk[i] = (jdkPosted - okPosted) / 1e6;
        }
      }
    } finally {
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
    }
    return new Cost(Samples.of(http), Samples.of(local), Samples.of(floor), Samples.of(ok), Samples.of(jdk));
  }

  /** A 200 whose completion has exactly one token. */
  private static void checkOneToken(int status, String body) throws IOException {
    if (status != 200 || JSON.readTree(body).path("usage").path("completion_tokens").asInt() != 1) {
      throw new IOException("Expected a 1-token completion, got HTTP " + status + ": " + body);
    }
  }

  private static void call(OkHttpClient okHttp, Request request) throws IOException {
    try (Response response = okHttp.newCall(request).execute()) {
      checkOneToken(response.code(), response.body().string());
    }
  }

  /** One streaming greedy completion; returns {nanoseconds to the first text, completion tokens}. */
  private long[] stream(int[] prompt) throws IOException, InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", SERVICE);
    body.put("prompt", prompt);
    body.put("max_tokens", options.httpTokens());
    body.put("temperature", 0);
    body.put("stream", true);
    body.put("stream_options", Map.of("include_usage", true));
    body.put("logit_bias", DecodeBenchmark.endOfSequenceBanned(options.model()));
    long start = System.nanoTime();
    HttpResponse<Stream<String>> response = client.send(post(JSON.writeValueAsString(body)),
        HttpResponse.BodyHandlers.ofLines());
    long first = -1;
    long tokens = -1;
    try (Stream<String> lines = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode() + ": " + String.join("\n", lines.toList()));
      }
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
          continue;
        }
        JsonNode chunk = JSON.readTree(line.substring(6));
        JsonNode choices = chunk.path("choices");
        if (first < 0 && !choices.isEmpty() && !choices.get(0).path("text").asString("").isEmpty()) {
          first = System.nanoTime() - start;
        }
        if (chunk.hasNonNull("usage")) {
          tokens = chunk.get("usage").get("completion_tokens").asLong();
        }
      }
    }
    if (first < 0 || tokens != options.httpTokens()) {
      throw new IOException("Expected " + options.httpTokens() + " streamed tokens, got " + tokens);
    }
    return new long[] {first, tokens};
  }

  private HttpRequest post(String body) {
    return HttpRequest.newBuilder(URI.create(baseUrl + "/v1/completions"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + API_KEY)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  @Override
  public void close() throws IOException {
    server.close();
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  static String describe(Load load) {
    return String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms (%d requests), %.1f tok/s aggregate",
        load.ttftMillis().median(), load.ttftMillis().percentile(99), load.requests(), load.tokensPerSecond());
  }
}
