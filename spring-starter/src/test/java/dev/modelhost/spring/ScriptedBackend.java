package dev.modelhost.spring;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.Json;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.Usage;
import dev.modelhost.exception.BackendException;
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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A backend whose answers are scripted by the prompt, so HTTP behaviour can be tested without
 * model weights: {@code endless} streams words until cancelled, {@code fail-midway} fails after the
 * first word, {@code hold} keeps the replica busy until
 * released; any other prompt is answered
 * with {@link #ANSWER}, one word per delta. A chat that offers tools is a tool round trip: a user
 * message is answered by a call of the first tool without arguments, a tool result by
 * {@code The tool said: RESULT}. It relays {@code /v1/embeddings} (one number: the
 * input's length) and no other pass-through endpoint.
 *
 * <p>Core's {@code dev.modelhost.testing.ScriptedBackend} is steered per backend instance (holds and
 * failures apply to every following request); the HTTP tests share one server and its services
 * across test classes and need one request held or failing while others beside it answer, so this
 * one is steered per request by the prompt.
 */
final class ScriptedBackend implements BackendProvider {

  static final String NAME = "scripted";
  static final List<String> ANSWER = List.of("This", " is", " a", " test!");

  private static volatile Hold currentHold = new Hold();

  /** The next {@code hold} request signals {@code started} and answers {@code held} once released. */
  static Hold hold() {
    currentHold = new Hold();
    return currentHold;
  }

  record Hold(CountDownLatch started, CountDownLatch released) {
    Hold() {
      this(new CountDownLatch(1), new CountDownLatch(1));
    }

    void release() {
      released.countDown();
    }
  }

  /** Requests that ended by cancellation, for tests of disconnects. */
  static final AtomicInteger CANCELLED = new AtomicInteger();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ModelRuntime load(ModelSource source) {
    return new ScriptedRuntime();
  }

  /** Relays embeddings only: one vector, the input's length, with the input's words as usage. */
  private static final class ScriptedRuntime implements ModelRuntime, PassThroughCapable {

    @Override
    public ModelDescriptor descriptor() {
      return new ModelDescriptor("scripted", 4096);
    }

    @Override
    public Replica createReplica(int index) {
      return new ScriptedReplica();
    }

    @Override
    public boolean supports(Endpoint endpoint) {
      return endpoint == Endpoint.EMBEDDINGS;
    }

    @Override
    public JsonNode passThrough(Endpoint endpoint, JsonNode body, Replica replica, Cancellation cancellation) {
      String input = body.path("input").asString("");
      ObjectNode answer = Json.mapper().createObjectNode().put("object", "list");
      answer.putArray("data").addObject().put("object", "embedding").put("index", 0)
          .putArray("embedding").add((double) input.length());
      answer.set("model", body.get("model"));
      int words = input.isBlank() ? 0 : input.trim().split("\\s+").length;
      answer.putObject("usage").put("prompt_tokens", words).put("total_tokens", words);
      return answer;
    }

    @Override
    public void close() {}
  }

  private static final class ScriptedReplica implements Replica {

    @Override
    public void execute(InferenceRequest request, GenerationListener listener) {
      String prompt;
      int choices;
      if (request instanceof InferenceRequest.Chat chat) {
        var messages = chat.request().messages();
        prompt = messages == null || messages.isEmpty() ? "" : messages.get(messages.size() - 1).text();
        choices = chat.request().choiceCount();
      } else {
        InferenceRequest.Text text = (InferenceRequest.Text) request;
        prompt = text.request().prompt() == null ? "" : text.request().prompt().text(0);
        choices = text.request().choiceCount();
      }
      int promptTokens = prompt.isBlank() ? 1 : prompt.trim().split("\\s+").length;
      if (request instanceof InferenceRequest.Chat chat && chat.request().tools() != null) {
        answerToolRoundTrip(chat.request(), listener, promptTokens);
        return;
      }
      try {
        switch (prompt) {
          case "endless" -> {
            for (int i = 0; ; i++) {
              request.cancellation().throwIfCancelled();
              listener.onDelta(ChoiceDelta.text(0, " word" + i));
              TimeUnit.MILLISECONDS.sleep(10);
            }
          }
          case "hold" -> {
            Hold hold = currentHold;
            hold.started.countDown();
            while (!hold.released.await(10, TimeUnit.MILLISECONDS)) {
              request.cancellation().throwIfCancelled();
            }
            listener.onDelta(ChoiceDelta.text(0, "held"));
            listener.onDelta(ChoiceDelta.finish(0, "stop"));
            listener.onUsage(Usage.of(promptTokens, 1), false);
          }
          case "fail-midway" -> {
            listener.onDelta(ChoiceDelta.text(0, "Partial"));
            throw new BackendException("The scripted model broke down.", null);
          }
          default -> {
            for (int c = 0; c < choices; c++) {
              for (String word : ANSWER) {
                request.cancellation().throwIfCancelled();
                listener.onDelta(ChoiceDelta.text(c, word));
              }
              listener.onDelta(ChoiceDelta.finish(c, "stop"));
            }
            listener.onUsage(Usage.of(promptTokens, ANSWER.size() * choices), false);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BackendException("interrupted", e);
      } catch (dev.modelhost.exception.RequestCancelledException e) {
        CANCELLED.incrementAndGet();
        throw e;
      }
    }

    private static void answerToolRoundTrip(ChatCompletionRequest request, GenerationListener listener,
        int promptTokens) {
      ChatMessage last = request.messages().get(request.messages().size() - 1);
      if (ChatMessage.TOOL.equals(last.role())) {
        listener.onDelta(ChoiceDelta.text(0, "The tool said: " + last.text()));
        listener.onDelta(ChoiceDelta.finish(0, "stop"));
      } else {
        String tool = request.tools().get(0).function().name();
        listener.onDelta(new ChoiceDelta(0, null,
            List.of(new ToolCall(0, "call_scripted", "function", new ToolCall.FunctionCall(tool, "{}"))), null, null));
        listener.onDelta(ChoiceDelta.finish(0, "tool_calls"));
      }
      listener.onUsage(Usage.of(promptTokens, 1), false);
    }

    @Override
    public void close() {}
  }
}
