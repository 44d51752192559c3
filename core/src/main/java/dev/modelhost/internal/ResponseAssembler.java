package dev.modelhost.internal;

import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ChoiceLogprobs;
import dev.modelhost.api.ChoiceLogprobs.TokenLogprob;
import dev.modelhost.api.ChoiceLogprobs.TopLogprob;
import dev.modelhost.api.Completion;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.Usage;
import dev.modelhost.spi.ChoiceDelta;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Turns a replica's {@link ChoiceDelta}s into OpenAI responses: a whole {@link ChatCompletion} or
 * {@link Completion}, or the chunks of a stream. Backends never build response objects, so ids,
 * timestamps, chunk order and the logprobs layouts are the same for every backend.
 *
 * <p>Streamed chat choices follow OpenAI's order: a first chunk with {@code role: "assistant"} and
 * empty content, then content (or tool-call fragment) chunks, then a chunk with an empty delta and
 * the finish reason; a usage chunk with no choices comes last when the caller asked for it. Not
 * thread-safe: one request's deltas arrive in order.
 */
final class ResponseAssembler {

  private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ChatCompletionChunk.Delta EMPTY_DELTA = new ChatCompletionChunk.Delta(null, null, null, null);

  private final String id;
  private final long created;
  private final String model;
  private final boolean logprobs;
  private final IntFunction<String> echo;
  private final TreeMap<Integer, ChoiceState> choices = new TreeMap<>();

  /**
   * @param logprobs whether the caller asked for log probabilities (otherwise backends' are dropped)
   * @param echo legacy {@code echo}: the text to put before choice {@code i}, or empty
   */
  ResponseAssembler(String id, long created, String model, boolean logprobs, IntFunction<String> echo) {
    this.id = id;
    this.created = created;
    this.model = model;
    this.logprobs = logprobs;
    this.echo = echo;
  }

  /** A new response id: the prefix and 29 random letters and digits, as OpenAI's ids look. */
  static String newId(String prefix) {
    StringBuilder id = new StringBuilder(prefix);
    for (int i = 0; i < 29; i++) {
      id.append(ALPHANUMERIC.charAt(RANDOM.nextInt(ALPHANUMERIC.length())));
    }
    return id.toString();
  }

  String id() {
    return id;
  }

  /** The finish reason of choice 0 as the response shows it; null when it produced nothing. */
  @Nullable String firstFinishReason() {
    ChoiceState first = choices.get(0);
    return first == null ? null : first.finishReason();
  }

  /** The choices that have output but no finish reason yet, in index order. */
  List<Integer> unfinishedChoices() {
    List<Integer> unfinished = new ArrayList<>();
    choices.forEach((index, choice) -> {
      if (choice.finishReason == null) {
        unfinished.add(index);
      }
    });
    return unfinished;
  }

  /** Adds a delta to the whole response. */
  void accept(ChoiceDelta delta) {
    choice(delta.index()).add(delta);
  }

  ChatCompletion chatCompletion(Usage usage) {
    List<ChatCompletion.Choice> result = new ArrayList<>(choices.size());
    for (var entry : choices.entrySet()) {
      ChoiceState c = entry.getValue();
      List<ToolCall> toolCalls = c.toolCalls();
      String content = c.text.length() > 0 || toolCalls.isEmpty() ? c.text.toString() : null;
      result.add(new ChatCompletion.Choice(
          entry.getKey(),
          new ChatCompletion.AssistantMessage(ChatMessage.ASSISTANT, content, null, toolCalls.isEmpty() ? null : toolCalls),
          logprobs ? ChoiceLogprobs.of(c.logprobs) : null,
          c.finishReason()));
    }
    return new ChatCompletion(id, ChatCompletion.OBJECT, created, model, result, usage, null);
  }

  Completion completion(Usage usage) {
    List<Completion.Choice> result = new ArrayList<>(choices.size());
    for (var entry : choices.entrySet()) {
      ChoiceState c = entry.getValue();
      String prefix = echo.apply(entry.getKey());
      result.add(new Completion.Choice(
          prefix + c.text,
          entry.getKey(),
          logprobs ? legacyLogprobs(c.logprobs, prefix.length()) : null,
          c.finishReason()));
    }
    return new Completion(id, Completion.OBJECT, created, model, null, result, usage);
  }

  /** The stream chunks for one delta (and the role chunk before a choice's first). */
  List<ChatCompletionChunk> chatChunks(ChoiceDelta delta) {
    ChoiceState c = choice(delta.index());
    List<ChatCompletionChunk> chunks = new ArrayList<>(3);
    if (!c.started) {
      c.started = true;
      chunks.add(chatChunk(delta.index(), new ChatCompletionChunk.Delta(ChatMessage.ASSISTANT, "", null, null), null, null));
    }
    String text = delta.text() == null || delta.text().isEmpty() ? null : delta.text();
    boolean hasLogprobs = logprobs && delta.logprobs() != null && !delta.logprobs().isEmpty();
    if (text != null || delta.toolCalls() != null || hasLogprobs) {
      chunks.add(chatChunk(delta.index(), new ChatCompletionChunk.Delta(null, text, null, delta.toolCalls()),
          hasLogprobs ? ChoiceLogprobs.of(delta.logprobs()) : null, null));
    }
    if (delta.finishReason() != null) {
      chunks.add(chatChunk(delta.index(), EMPTY_DELTA, null, delta.finishReason()));
    }
    c.add(delta);
    return chunks;
  }

  ChatCompletionChunk chatUsageChunk(Usage usage) {
    return new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, created, model, null, List.of(), usage);
  }

  /** The legacy stream events for one delta: partial text, then an empty one with the finish reason. */
  List<Completion> completionChunks(ChoiceDelta delta) {
    ChoiceState c = choice(delta.index());
    List<Completion> chunks = new ArrayList<>(3);
    if (!c.started) {
      c.started = true;
      String prefix = echo.apply(delta.index());
      c.offset = prefix.length();
      if (!prefix.isEmpty()) {
        chunks.add(completionChunk(delta.index(), prefix, null, null));
      }
    }
    String text = delta.text() == null ? "" : delta.text();
    boolean hasLogprobs = logprobs && delta.logprobs() != null && !delta.logprobs().isEmpty();
    if (!text.isEmpty() || hasLogprobs) {
      chunks.add(completionChunk(delta.index(), text,
          hasLogprobs ? legacyLogprobs(delta.logprobs(), c.offset) : null, null));
    }
    c.offset += text.length();
    if (delta.finishReason() != null) {
      chunks.add(completionChunk(delta.index(), "", null, delta.finishReason()));
    }
    c.add(delta);
    return chunks;
  }

  Completion completionUsageChunk(Usage usage) {
    return new Completion(id, Completion.OBJECT, created, model, null, List.of(), usage);
  }

  private ChatCompletionChunk chatChunk(
      int index, ChatCompletionChunk.Delta delta, @Nullable ChoiceLogprobs lp, @Nullable String finishReason) {
    return new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, created, model, null,
        List.of(new ChatCompletionChunk.ChunkChoice(index, delta, lp, finishReason)), null);
  }

  private Completion completionChunk(int index, String text, Completion.@Nullable Logprobs lp, @Nullable String finishReason) {
    return new Completion(id, Completion.OBJECT, created, model, null,
        List.of(new Completion.Choice(text, index, lp, finishReason)), null);
  }

  /** The legacy parallel-array layout; {@code text_offset} counts characters from the start of the choice's text. */
  private static Completion.Logprobs legacyLogprobs(List<TokenLogprob> tokens, int startOffset) {
    List<String> texts = new ArrayList<>(tokens.size());
    List<Double> values = new ArrayList<>(tokens.size());
    List<Map<String, Double>> tops = new ArrayList<>(tokens.size());
    List<Integer> offsets = new ArrayList<>(tokens.size());
    int offset = startOffset;
    for (TokenLogprob token : tokens) {
      texts.add(token.token());
      values.add(token.logprob());
      Map<String, Double> top = new LinkedHashMap<>();
      for (TopLogprob alternative : token.topLogprobs()) {
        top.putIfAbsent(alternative.token(), alternative.logprob());
      }
      tops.add(Collections.unmodifiableMap(top));
      offsets.add(offset);
      offset += token.token().length();
    }
    return new Completion.Logprobs(texts, values, tops, offsets);
  }

  private ChoiceState choice(int index) {
    return choices.computeIfAbsent(index, i -> new ChoiceState());
  }

  private static final class ChoiceState {
    final StringBuilder text = new StringBuilder();
    final TreeMap<Integer, ToolCall> toolCalls = new TreeMap<>();
    final List<TokenLogprob> logprobs = new ArrayList<>();
    @Nullable String finishReason;
    boolean started;
    int offset;

    void add(ChoiceDelta delta) {
      if (delta.text() != null) {
        text.append(delta.text());
      }
      if (delta.toolCalls() != null) {
        for (ToolCall fragment : delta.toolCalls()) {
          int index = fragment.index() != null ? fragment.index() : toolCalls.size();
          toolCalls.merge(index, withoutIndex(fragment), ChoiceState::merge);
        }
      }
      if (delta.logprobs() != null) {
        logprobs.addAll(delta.logprobs());
      }
      if (delta.finishReason() != null) {
        finishReason = delta.finishReason();
      }
    }

    /** A choice a backend ended without a finish reason stopped naturally. */
    String finishReason() {
      return finishReason != null ? finishReason : "stop";
    }

    List<ToolCall> toolCalls() {
      return List.copyOf(toolCalls.values());
    }

    private static ToolCall withoutIndex(ToolCall fragment) {
      return new ToolCall(null, fragment.id(), fragment.type() != null ? fragment.type() : "function", fragment.function());
    }

    /** Later fragments of a call add to its arguments; the id and name come from the first that has them. */
    private static ToolCall merge(ToolCall first, ToolCall next) {
      ToolCall.FunctionCall a = first.function();
      ToolCall.FunctionCall b = next.function();
      ToolCall.FunctionCall function;
      if (a == null || b == null) {
        function = a != null ? a : b;
      } else {
        String args = a.arguments() == null ? b.arguments()
            : b.arguments() == null ? a.arguments() : a.arguments() + b.arguments();
        function = new ToolCall.FunctionCall(a.name() != null ? a.name() : b.name(), args);
      }
      return new ToolCall(null, first.id() != null ? first.id() : next.id(), first.type(), function);
    }
  }
}
