package dev.modelhost.samples.server.bench;

import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.backend.onnx.OnnxBackendProvider;
import dev.modelhost.backend.onnx.bench.DecodeBenchmark;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.samples.server.ModelhostServer;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
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
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Time to first token and aggregate tokens/s at one concurrency level. */
  record Load(int clients, Samples ttftMillis, double tokensPerSecond, int requests) {}

  HttpBench(BenchmarkSuite.Options options) {
    this.options = options;
    // Spring binds a list from one property source: the service is given whole on the command line.
    String service = "--modelhost.services[0].";
    List<String> args = new ArrayList<>(List.of("--port=0", "--MODELHOST_API_KEY=" + API_KEY,
        service + "owner=bench", service + "name=large", service + "backend=" + OnnxBackendProvider.NAME,
        service + "location=" + options.model(), service + "options.threads=" + options.threads(),
        service + "request-timeout=" + LocalBench.QUEUE_TIMEOUT.toSeconds() + "s"));
    options.serviceOptions().forEach((key, value) -> args.add(service + "options." + key + "=" + value));
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
   * Item 5: p50 latency of a 1-token completion over HTTP minus the same request in-process, on the
   * small default model (so that the model's own time does not drown the difference), interleaved.
   */
  double[] httpCostMillis(int calls) throws Exception {
    host.deploy(ServiceSpec.builder("bench", "small").backend(OnnxBackendProvider.NAME)
        .source(new ModelSource(DefaultModel.FORTUNE_LLAMA.directory().toString(),
            Map.of("threads", Integer.toString(options.threads()))))
        .build());
    host.awaitRunning(SMALL_SERVICE, Duration.ofMinutes(2));
    String body = JSON.writeValueAsString(Map.of("model", SMALL_SERVICE, "prompt", "Once upon a time",
        "max_tokens", 1));
    CompletionRequest request = CompletionRequest.of(SMALL_SERVICE, "Once upon a time", 1);
    double[] http = new double[calls];
    double[] local = new double[calls];
    for (int i = -calls / 5; i < calls; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = client.send(post(body), HttpResponse.BodyHandlers.ofString());
      long middle = System.nanoTime();
      host.complete(request);
      long end = System.nanoTime();
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode() + ": " + response.body());
      }
      if (i >= 0) {
        http[i] = (middle - start) / 1e6;
        local[i] = (end - middle) / 1e6;
      }
    }
    return new double[] {Samples.of(http).median(), Samples.of(local).median(), Samples.of(http).percentile(90),
        Samples.of(local).percentile(90)};
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
  public void close() {
    server.close();
  }

  static String describe(Load load) {
    return String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms (%d requests), %.1f tok/s aggregate",
        load.ttftMillis().median(), load.ttftMillis().percentile(99), load.requests(), load.tokensPerSecond());
  }
}
