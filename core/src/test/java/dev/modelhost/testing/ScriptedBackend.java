package dev.modelhost.testing;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ChoiceLogprobs.TokenLogprob;
import dev.modelhost.api.ChoiceLogprobs.TopLogprob;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.StopSequences;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.api.Usage;
import dev.modelhost.api.Json;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.BackendProvider;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.GenerationListener;
import dev.modelhost.spi.InferenceRequest;
import dev.modelhost.spi.ModelDescriptor;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.PassThroughCapable;
import dev.modelhost.spi.Replica;
import dev.modelhost.spi.ReplicaFailureException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A deterministic backend for tests: every choice answers with the words of the source option
 * {@code reply}, one word a step, waiting {@code step-delay-ms} before each step and checking for
 * cancellation at every step. Options: {@code reply}, {@code step-delay-ms} (default 0),
 * {@code capacity} (requests a replica runs at once, default 1), {@code report-usage} (default
 * true; false leaves counting to the host), {@code report-finish} (default true; false ends choices
 * without a finish reason, as some upstream servers do), {@code pass-through} (comma-separated endpoint paths it
 * relays, e.g. {@code embeddings,images/generations}; default none), {@code fail-load} (loading
 * this source fails with that message). Prompt tokens are the prompt's
 * words. A forced {@code tool_choice} makes it call that function with {@code {"city":"Paris"}} in
 * three fragments.
 *
 * <p>Relayed calls answer an embedding per input (its words' lengths) or one image URL per call,
 * with {@code usage.prompt_tokens} the input's words when it reports usage; an input of
 * {@code "fail"} is refused with 400 as an upstream would refuse it. They count as executions and
 * wait at a held gate as generations do.
 *
 * <p>Tests steer it from outside: make executions fail, hold them at their first step, hold or fail
 * loading and replica creation, and inspect what was created and closed.
 */
public final class ScriptedBackend implements BackendProvider {

  public static final String NAME = "scripted";
  public static final String DEFAULT_REPLY = "The quick brown fox jumps over the lazy dog.";

  private final AtomicInteger failingExecutions = new AtomicInteger();
  private final AtomicInteger failingCreations = new AtomicInteger();
  private final Semaphore executionsStarted = new Semaphore(0);
  private final List<ScriptedRuntime> runtimes = new CopyOnWriteArrayList<>();
  private volatile @Nullable CountDownLatch executionGate;
  private volatile @Nullable CountDownLatch loadGate;
  private volatile @Nullable CountDownLatch creationGate;
  private volatile @Nullable RuntimeException loadFailure;
  private volatile @Nullable RuntimeException executionCrash;

  @Override
  public String name() {
    return NAME;
  }

  /** The next {@code count} executions emit one word and then fail as a broken replica does. */
  public ScriptedBackend failNextExecutions(int count) {
    failingExecutions.set(count);
    return this;
  }

  /** The next execution emits one word and then throws {@code crash}, a bug rather than a reported failure. */
  public ScriptedBackend crashNextExecution(RuntimeException crash) {
    executionCrash = crash;
    return this;
  }

  /** The next {@code count} replica creations fail. */
  public ScriptedBackend failNextCreations(int count) {
    failingCreations.set(count);
    return this;
  }

  /** Loading throws {@code failure}. */
  public ScriptedBackend failLoad(RuntimeException failure) {
    loadFailure = failure;
    return this;
  }

  /** Executions wait at their first step (still honouring cancellation) until {@link #releaseExecutions()}. */
  public ScriptedBackend holdExecutions() {
    executionGate = new CountDownLatch(1);
    return this;
  }

  public void releaseExecutions() {
    CountDownLatch gate = executionGate;
    if (gate != null) {
      gate.countDown();
    }
  }

  /** Loading waits until {@link #releaseLoad()}. */
  public ScriptedBackend holdLoad() {
    loadGate = new CountDownLatch(1);
    return this;
  }

  public void releaseLoad() {
    CountDownLatch gate = loadGate;
    if (gate != null) {
      gate.countDown();
    }
  }

  /** Replica creations after this call wait until {@link #releaseCreations()}. */
  public ScriptedBackend holdCreations() {
    creationGate = new CountDownLatch(1);
    return this;
  }

  public void releaseCreations() {
    CountDownLatch gate = creationGate;
    if (gate != null) {
      gate.countDown();
    }
  }

  /** Waits until {@code count} more executions have started; false on timeout. */
  public boolean awaitExecutionsStarted(int count, Duration timeout) throws InterruptedException {
    return executionsStarted.tryAcquire(count, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Every runtime loaded so far, in order. */
  public List<ScriptedRuntime> runtimes() {
    return List.copyOf(runtimes);
  }

  public ScriptedRuntime lastRuntime() {
    return runtimes.get(runtimes.size() - 1);
  }

  @Override
  public ModelRuntime load(ModelSource source) {
    await(loadGate);
    RuntimeException failure = loadFailure;
    if (failure != null) {
      throw failure;
    }
    String sourceFailure = source.option("fail-load");
    if (sourceFailure != null) {
      throw new ModelLoadException(sourceFailure);
    }
    ScriptedRuntime runtime = new ScriptedRuntime(source);
    runtimes.add(runtime);
    return runtime;
  }

  /** Waits while executions are held, in steps, so that a cancellation ends the wait. */
  private void holdAtGate(Cancellation cancellation) {
    CountDownLatch gate = executionGate;
    try {
      while (gate != null && !gate.await(5, TimeUnit.MILLISECONDS)) {
        cancellation.throwIfCancelled();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void await(@Nullable CountDownLatch gate) {
    if (gate == null) {
      return;
    }
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test gate was never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A loaded script. */
  public final class ScriptedRuntime implements ModelRuntime, PassThroughCapable {

    private final List<String> words;
    private final long stepDelayMillis;
    private final int capacity;
    private final boolean reportUsage;
    private final boolean reportFinish;
    private final Set<String> passThrough;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger replicasCreated = new AtomicInteger();
    private final AtomicInteger replicasClosed = new AtomicInteger();
    private final AtomicInteger executions = new AtomicInteger();
    private final AtomicInteger maxConcurrencyPerReplica = new AtomicInteger();
    private final List<ScriptedReplica> replicas = new CopyOnWriteArrayList<>();

    ScriptedRuntime(ModelSource source) {
      this.words = Arrays.asList(source.option("reply", DEFAULT_REPLY).trim().split("\\s+"));
      this.stepDelayMillis = source.intOption("step-delay-ms", 0);
      this.capacity = source.intOption("capacity", 1);
      this.reportUsage = Boolean.parseBoolean(source.option("report-usage", "true"));
      this.reportFinish = Boolean.parseBoolean(source.option("report-finish", "true"));
      this.passThrough = Set.of(source.option("pass-through", "").split(","));
    }

    @Override
    public boolean supports(Endpoint endpoint) {
      return passThrough.contains(endpoint.path());
    }

    @Override
    public JsonNode passThrough(Endpoint endpoint, JsonNode body, Cancellation cancellation) {
      executions.incrementAndGet();
      executionsStarted.release();
      holdAtGate(cancellation);
      cancellation.throwIfCancelled();
      JsonNode input = body.get(endpoint == Endpoint.EMBEDDINGS ? "input" : "prompt");
      List<String> texts = new ArrayList<>();
      if (input != null && input.isArray()) {
        input.forEach(element -> texts.add(element.asString()));
      } else if (input != null) {
        texts.add(input.asString());
      }
      if (texts.contains("fail")) {
        throw new InvalidRequestException("Scripted refusal of the input `fail`.", "input", "invalid_value");
      }
      ObjectNode answer = Json.mapper().createObjectNode();
      if (endpoint == Endpoint.EMBEDDINGS) {
        answer.put("object", "list");
        ArrayNode data = answer.putArray("data");
        for (int i = 0; i < texts.size(); i++) {
          ObjectNode embedding = data.addObject().put("object", "embedding").put("index", i);
          ArrayNode vector = embedding.putArray("embedding");
          Arrays.stream(texts.get(i).trim().split("\\s+")).forEach(word -> vector.add((double) word.length()));
        }
        answer.set("model", body.get("model"));
      } else {
        answer.put("created", 1_700_000_000L);
        answer.putArray("data").addObject().put("url", "https://images.invalid/" + texts.size() + ".png");
      }
      if (reportUsage) {
        int words = texts.stream().mapToInt(Plan::words).sum();
        answer.putObject("usage").put("prompt_tokens", words).put("total_tokens", words);
      }
      return answer;
    }

    @Override
    public ModelDescriptor descriptor() {
      return new ModelDescriptor("scripted", 2048);
    }

    @Override
    public Replica createReplica(int index) {
      if (closed.get()) {
        throw new IllegalStateException("Trying to create a replica of a closed runtime.");
      }
      await(creationGate);
      if (failingCreations.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("scripted creation failure");
      }
      ScriptedReplica replica = new ScriptedReplica(index);
      replicas.add(replica);
      replicasCreated.incrementAndGet();
      return replica;
    }

    @Override
    public void close() {
      closed.set(true);
    }

    public boolean isClosed() {
      return closed.get();
    }

    public int replicasClosed() {
      return replicasClosed.get();
    }

    /** Replicas created and not closed yet. */
    public int openReplicas() {
      return replicasCreated.get() - replicasClosed.get();
    }

    public int executions() {
      return executions.get();
    }

    /** The most requests any replica ran at once. */
    public int maxConcurrencyPerReplica() {
      return maxConcurrencyPerReplica.get();
    }

    /** How many requests each replica created so far has run, by creation order. */
    public List<Integer> executionsPerReplica() {
      return replicas.stream().map(r -> r.executions.get()).toList();
    }

    final class ScriptedReplica implements Replica {
      private final int index;
      private final AtomicInteger running = new AtomicInteger();
      private final AtomicInteger executions = new AtomicInteger();
      private final AtomicBoolean replicaClosed = new AtomicBoolean();

      ScriptedReplica(int index) {
        this.index = index;
      }

      @Override
      public int capacity() {
        return capacity;
      }

      @Override
      public void execute(InferenceRequest request, GenerationListener listener) {
        if (replicaClosed.get()) {
          throw new IllegalStateException("Trying to run a request on closed replica " + index + ".");
        }
        int now = running.incrementAndGet();
        maxConcurrencyPerReplica.accumulateAndGet(now, Math::max);
        ScriptedRuntime.this.executions.incrementAndGet();
        executions.incrementAndGet();
        executionsStarted.release();
        try {
          run(request, listener);
        } finally {
          running.decrementAndGet();
        }
      }

      private void run(InferenceRequest request, GenerationListener listener) {
        holdAtGate(request.cancellation());
        boolean fail = failingExecutions.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        RuntimeException crash = executionCrash;
        executionCrash = null;
        Plan plan = request instanceof InferenceRequest.Chat chat
            ? Plan.of(chat.request())
            : Plan.of(((InferenceRequest.Text) request).request());
        int completionTokens = 0;
        if (plan.toolName != null) {
          String[] fragments = {"", "{\"city\":", "\"Paris\"}"};
          for (int step = 0; step < fragments.length; step++) {
            step(request, listener);
            ToolCall call = step == 0
                ? new ToolCall(0, "call_" + index + "_" + executions.get(), "function",
                    new ToolCall.FunctionCall(plan.toolName, ""))
                : new ToolCall(0, null, null, new ToolCall.FunctionCall(null, fragments[step]));
            listener.onDelta(new ChoiceDelta(0, null, List.of(call), null, null));
            completionTokens++;
          }
          listener.onDelta(ChoiceDelta.finish(0, "tool_calls"));
          report(listener, plan, completionTokens);
          return;
        }
        // Choices take turns, one word each per step; a choice's finish comes one step after its last word.
        boolean[] done = new boolean[plan.choices];
        int[] emitted = new int[plan.choices];
        for (int step = 0; ; step++) {
          boolean any = false;
          for (int choice = 0; choice < plan.choices; choice++) {
            if (done[choice]) {
              continue;
            }
            any = true;
            step(request, listener);
            String reason = step >= words.size() || plan.stop.contains(words.get(step)) ? "stop"
                : emitted[choice] >= plan.maxTokens ? "length" : null;
            if (reason != null) {
              done[choice] = true;
              if (reportFinish) {
                listener.onDelta(ChoiceDelta.finish(choice, reason));
              }
              continue;
            }
            if (crash != null && step == 1) {
              throw crash;
            }
            if (fail && step == 1) {
              throw new ReplicaFailureException("scripted replica " + index + " broke", null);
            }
            String token = (step == 0 ? "" : " ") + words.get(step);
            emitted[choice]++;
            completionTokens++;
            listener.onDelta(new ChoiceDelta(choice, token, null, plan.logprobs(token), null));
          }
          if (!any) {
            break;
          }
        }
        report(listener, plan, completionTokens);
      }

      private void report(GenerationListener listener, Plan plan, int completionTokens) {
        if (reportUsage) {
          listener.onUsage(Usage.of(plan.promptTokens, completionTokens), false);
        }
      }

      /** One step: waits the step delay, and like a batching engine sits out while the reader is behind. */
      private void step(InferenceRequest request, GenerationListener listener) {
        request.cancellation().throwIfCancelled();
        try {
          if (stepDelayMillis > 0) {
            Thread.sleep(stepDelayMillis);
          }
          while (listener.backlogged() && !request.cancellation().isCancelled()) {
            Thread.sleep(1);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        request.cancellation().throwIfCancelled();
      }

      @Override
      public void close() {
        if (replicaClosed.compareAndSet(false, true)) {
          replicasClosed.incrementAndGet();
        }
      }
    }
  }

  /** What one request asks for, whichever endpoint it came through. */
  private record Plan(int choices, int maxTokens, List<String> stop, int promptTokens, int topLogprobs,
      boolean withLogprobs, @Nullable String toolName) {

    static Plan of(ChatCompletionRequest request) {
      String prompt = String.join(" ", request.messages().stream().map(ChatMessage::text).toList());
      Integer limit = request.completionTokenLimit();
      return new Plan(request.choiceCount(), limit == null ? Integer.MAX_VALUE : limit, stops(request.stop()),
          words(prompt), request.topLogprobs() == null ? 0 : request.topLogprobs(),
          Boolean.TRUE.equals(request.logprobs()), forcedTool(request.tools(), request.toolChoice()));
    }

    static Plan of(CompletionRequest request) {
      int promptTokens = 0;
      for (int i = 0; i < request.prompt().size(); i++) {
        promptTokens += request.prompt().isTokens(i) ? request.prompt().tokens(i).length : words(request.prompt().text(i));
      }
      return new Plan(request.prompt().size() * request.choiceCount(),
          request.maxTokens() == null ? CompletionRequest.DEFAULT_MAX_TOKENS : request.maxTokens(),
          stops(request.stop()), promptTokens, request.logprobs() == null ? 0 : request.logprobs(),
          request.logprobs() != null, null);
    }

    private static @Nullable String forcedTool(@Nullable List<Tool> tools, @Nullable ToolChoice choice) {
      if (choice == null || tools == null || tools.isEmpty()) {
        return null;
      }
      return switch (choice.mode()) {
        case "function" -> choice.functionName();
        case "required" -> tools.get(0).function().name();
        default -> null;
      };
    }

    private static List<String> stops(@Nullable StopSequences stop) {
      return stop == null ? List.of() : stop.values().stream().map(String::trim).toList();
    }

    static int words(String text) {
      String trimmed = text.trim();
      return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }

    @Nullable List<TokenLogprob> logprobs(String token) {
      if (!withLogprobs) {
        return null;
      }
      List<TopLogprob> top = new ArrayList<>();
      for (int i = 0; i < topLogprobs; i++) {
        String alternative = i == 0 ? token : token + "#" + i;
        top.add(new TopLogprob(alternative, -0.25 - i, bytes(alternative)));
      }
      return List.of(new TokenLogprob(token, -0.25, bytes(token), top));
    }

    private static List<Integer> bytes(String text) {
      List<Integer> result = new ArrayList<>();
      for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
        result.add(b & 0xff);
      }
      return result;
    }
  }
}
