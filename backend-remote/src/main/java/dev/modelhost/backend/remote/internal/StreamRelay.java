package dev.modelhost.backend.remote.internal;

import dev.modelhost.api.ChoiceLogprobs.TokenLogprob;
import dev.modelhost.api.ChoiceLogprobs.TopLogprob;
import dev.modelhost.api.Json;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.Usage;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.GenerationListener;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads an upstream event stream of {@code chat.completion.chunk}s or {@code text_completion}s and
 * re-emits each choice increment as a {@link ChoiceDelta}, dropping the upstream's ids and model
 * name (core writes our own). Any failure closes the upstream connection.
 */
final class StreamRelay {

  /** What the stream reported besides the deltas. */
  record Result(@Nullable Usage usage, long relayedChars) {}

  private final UpstreamErrors errors;
  private final Duration firstByteTimeout;
  private final Duration idleTimeout;

  StreamRelay(UpstreamErrors errors, Duration firstByteTimeout, Duration idleTimeout) {
    this.errors = errors;
    this.firstByteTimeout = firstByteTimeout;
    this.idleTimeout = idleTimeout;
  }

  Result relay(
      UpstreamClient.Opened opened, boolean chat, @Nullable String ourModel,
      GenerationListener listener, Cancellation cancellation) {
    StreamingBody body = opened.body();
    try {
      return new Reader(chat, ourModel, listener, cancellation).read(opened);
    } finally {
      body.close();
    }
  }

  private final class Reader {
    private final boolean chat;
    private final @Nullable String ourModel;
    private final GenerationListener listener;
    private final Cancellation cancellation;
    private final SseParser parser = new SseParser();
    private final Set<Integer> started = new HashSet<>();
    private final Set<Integer> finished = new HashSet<>();
    private @Nullable Usage usage;
    private long relayedChars;

    Reader(boolean chat, @Nullable String ourModel, GenerationListener listener, Cancellation cancellation) {
      this.chat = chat;
      this.ourModel = ourModel;
      this.listener = listener;
      this.cancellation = cancellation;
    }

    Result read(UpstreamClient.Opened opened) {
      boolean first = true;
      while (true) {
        byte[] bytes;
        try {
          bytes = opened.body().next(first ? opened.firstByteBudget(firstByteTimeout) : idleTimeout);
        } catch (TimeoutException e) {
          throw first ? UpstreamErrors.firstByteTimeout() : UpstreamErrors.idleTimeout();
        } catch (IOException e) {
          cancellation.throwIfCancelled();
          throw UpstreamErrors.brokenStream(e);
        } catch (StreamingBody.ClosedException e) {
          cancellation.throwIfCancelled();
          throw UpstreamErrors.brokenStream(null);
        }
        first = false;
        if (bytes == null) {
          // The connection ended without [DONE]: fine only if every choice had finished.
          if (started.isEmpty() || !finished.containsAll(started)) {
            throw UpstreamErrors.brokenStream(null);
          }
          return new Result(usage, relayedChars);
        }
        List<SseParser.Event> events;
        try {
          events = parser.feed(bytes);
        } catch (MalformedStreamException e) {
          throw UpstreamErrors.malformed(e.getMessage());
        }
        for (SseParser.Event event : events) {
          cancellation.throwIfCancelled();
          if (event.type().equals("message") && event.data().strip().equals("[DONE]")) {
            return new Result(usage, relayedChars);
          }
          handle(event);
        }
        cancellation.throwIfCancelled();
      }
    }

    private void handle(SseParser.Event event) {
      boolean errorEvent = event.type().equals("error");
      if (!errorEvent && !event.type().equals("message")) {
        return; // e.g. "ping": carries nothing to relay
      }
      JsonNode node;
      try {
        node = Json.mapper().readTree(event.data());
      } catch (JacksonException e) {
        if (errorEvent) {
          throw errors.streamError(Json.mapper().createObjectNode().put("message", event.data()), ourModel);
        }
        throw UpstreamErrors.malformed("an event is not JSON");
      }
      if (node == null || !node.isObject()) {
        throw UpstreamErrors.malformed("an event is not a JSON object");
      }
      JsonNode error = node.get("error");
      if (errorEvent || (error != null && !error.isNull())) {
        JsonNode details = error != null && error.isObject() ? error : node;
        if (error != null && error.isString()) {
          details = Json.mapper().createObjectNode().put("message", error.asString());
        }
        throw errors.streamError(details, ourModel);
      }
      JsonNode usageNode = node.get("usage");
      if (usageNode != null && usageNode.isObject()) {
        usage = convert(usageNode, Usage.class, "usage");
      }
      JsonNode choices = node.get("choices");
      if (choices == null || choices.isNull()) {
        return;
      }
      if (!choices.isArray()) {
        throw UpstreamErrors.malformed("'choices' is not an array");
      }
      for (JsonNode choice : choices) {
        relayChoice(choice);
      }
    }

    private void relayChoice(JsonNode choice) {
      JsonNode indexNode = choice.get("index");
      if (indexNode == null || !indexNode.isIntegralNumber() || !indexNode.canConvertToInt() || indexNode.asInt() < 0) {
        throw UpstreamErrors.malformed("a choice has no valid 'index'");
      }
      int index = indexNode.asInt();
      String text;
      List<ToolCall> toolCalls = null;
      List<TokenLogprob> logprobs;
      if (chat) {
        JsonNode delta = choice.get("delta");
        text = delta == null ? null : string(delta.get("content"));
        JsonNode calls = delta == null ? null : delta.get("tool_calls");
        if (calls != null && calls.isArray() && !calls.isEmpty()) {
          toolCalls = new ArrayList<>(calls.size());
          for (JsonNode call : calls) {
            toolCalls.add(convert(call, ToolCall.class, "tool_calls"));
          }
        }
        logprobs = chatLogprobs(choice.get("logprobs"));
      } else {
        text = string(choice.get("text"));
        logprobs = legacyLogprobs(choice.get("logprobs"));
      }
      String finishReason = string(choice.get("finish_reason"));
      if (text != null && text.isEmpty()) {
        text = null;
      }
      started.add(index);
      if (finishReason != null) {
        finished.add(index);
      }
      if (text == null && toolCalls == null && logprobs == null && finishReason == null) {
        return; // e.g. the first chunk, which only names the role
      }
      relayedChars += text == null ? 0 : text.length();
      if (toolCalls != null) {
        for (ToolCall call : toolCalls) {
          if (call.function() != null) {
            relayedChars += length(call.function().name()) + length(call.function().arguments());
          }
        }
      }
      listener.onDelta(new ChoiceDelta(index, text, toolCalls, logprobs, finishReason));
    }

    private @Nullable List<TokenLogprob> chatLogprobs(@Nullable JsonNode logprobs) {
      if (logprobs == null || !logprobs.isObject()) {
        return null;
      }
      JsonNode content = logprobs.get("content");
      if (content == null || !content.isArray() || content.isEmpty()) {
        return null;
      }
      List<TokenLogprob> tokens = new ArrayList<>(content.size());
      for (JsonNode token : content) {
        tokens.add(convert(token, TokenLogprob.class, "logprobs"));
      }
      return tokens;
    }

    /** The legacy parallel arrays, turned into per-token entries as the chat layout has them. */
    private @Nullable List<TokenLogprob> legacyLogprobs(@Nullable JsonNode logprobs) {
      if (logprobs == null || !logprobs.isObject()) {
        return null;
      }
      JsonNode tokens = logprobs.get("tokens");
      JsonNode values = logprobs.get("token_logprobs");
      JsonNode tops = logprobs.get("top_logprobs");
      if (tokens == null || !tokens.isArray() || tokens.isEmpty()) {
        return null;
      }
      if (values == null || !values.isArray() || values.size() != tokens.size()) {
        throw UpstreamErrors.malformed("'logprobs' arrays differ in length");
      }
      List<TokenLogprob> result = new ArrayList<>(tokens.size());
      for (int i = 0; i < tokens.size(); i++) {
        List<TopLogprob> top = new ArrayList<>();
        JsonNode topNode = tops != null && tops.isArray() && i < tops.size() ? tops.get(i) : null;
        if (topNode != null && topNode.isObject()) {
          for (Map.Entry<String, JsonNode> entry : topNode.properties()) {
            top.add(new TopLogprob(entry.getKey(), number(entry.getValue()), null));
          }
        }
        result.add(new TokenLogprob(tokens.get(i).asString(), number(values.get(i)), null, top));
      }
      return result;
    }

    private <T> T convert(JsonNode node, Class<T> type, String what) {
      try {
        return Json.mapper().treeToValue(node, type);
      } catch (JacksonException e) {
        throw UpstreamErrors.malformed("'" + what + "' has an unexpected shape");
      }
    }
  }

  /** A legacy logprob; the first token of an echoed prompt has none, written as OpenAI's floor. */
  private static double number(@Nullable JsonNode node) {
    return node != null && node.isNumber() ? node.asDouble() : -9999.0;
  }

  private static @Nullable String string(@Nullable JsonNode node) {
    return node != null && node.isString() ? node.asString() : null;
  }

  private static int length(@Nullable String text) {
    return text == null ? 0 : text.length();
  }
}
