package dev.modelhost.langchain4j.internal;

import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.modelhost.ResponseStream;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads one answer's chunks and hands them to a LangChain4j handler: text and tool-call fragments
 * as they come, each finished tool call, then the whole response. It is also the stream's
 * {@link StreamingHandle}: cancelling closes the stream, which stops the generation, and silences
 * the handler.
 */
public final class StreamRelay implements Runnable, StreamingHandle {

  private final ResponseStream<ChatCompletionChunk> stream;
  private final StreamingChatResponseHandler handler;
  private volatile boolean cancelled;

  private final StringBuilder text = new StringBuilder();
  private final Map<Integer, ToolCallParts> toolCalls = new TreeMap<>();
  private @Nullable String model;
  private @Nullable String finishReason;
  private @Nullable Usage usage;

  public StreamRelay(ResponseStream<ChatCompletionChunk> stream, StreamingChatResponseHandler handler) {
    this.stream = stream;
    this.handler = handler;
  }

  @Override
  public void run() {
    try (stream) {
      while (!cancelled && stream.hasNext()) {
        relay(stream.next());
      }
      if (cancelled) {
        return;
      }
      List<ToolCall> calls = new ArrayList<>();
      toolCalls.forEach((index, parts) -> {
        ToolCall call = parts.toToolCall();
        calls.add(call);
        handler.onCompleteToolCall(new CompleteToolCall(index, ResponseMapper.toRequest(call)));
      });
      handler.onCompleteResponse(ResponseMapper.chatResponse(stream.id(), model == null ? "" : model,
          text.isEmpty() && !calls.isEmpty() ? null : text.toString(), calls, finishReason, usage));
    } catch (RuntimeException e) {
      if (!cancelled) {
        handler.onError(Exceptions.toLangChain4j(e));
      }
    }
  }

  private void relay(ChatCompletionChunk chunk) {
    model = chunk.model();
    if (chunk.usage() != null) {
      usage = chunk.usage();
    }
    for (ChatCompletionChunk.ChunkChoice choice : chunk.choices()) {
      if (choice.index() != 0) {
        continue;
      }
      String content = choice.delta().content();
      if (content != null && !content.isEmpty()) {
        text.append(content);
        handler.onPartialResponse(new PartialResponse(content), new PartialResponseContext(this));
      }
      if (choice.delta().toolCalls() != null) {
        for (ToolCall fragment : choice.delta().toolCalls()) {
          relayToolCallFragment(fragment);
        }
      }
      if (choice.finishReason() != null) {
        finishReason = choice.finishReason();
      }
    }
  }

  private void relayToolCallFragment(ToolCall fragment) {
    int index = fragment.index() == null ? toolCalls.size() : fragment.index();
    ToolCallParts parts = toolCalls.computeIfAbsent(index, i -> new ToolCallParts());
    String arguments = fragment.function() == null ? null : fragment.function().arguments();
    parts.add(fragment.id(), fragment.function() == null ? null : fragment.function().name(), arguments);
    // LangChain4j's partial tool calls carry arguments; a fragment with only the id and name has none to pass on.
    if (cancelled || arguments == null || arguments.isEmpty()) {
      return;
    }
    handler.onPartialToolCall(
        PartialToolCall.builder()
            .index(index)
            .id(parts.id)
            .name(parts.name)
            .partialArguments(arguments)
            .build(),
        new PartialToolCallContext(this));
  }

  @Override
  public void cancel() {
    cancelled = true;
    stream.close();
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  /** A tool call being put together from its fragments: the first carries id and name, all carry arguments. */
  private static final class ToolCallParts {
    private @Nullable String id;
    private @Nullable String name;
    private final StringBuilder arguments = new StringBuilder();

    void add(@Nullable String id, @Nullable String name, @Nullable String argumentsFragment) {
      this.id = id != null ? id : this.id;
      this.name = name != null ? name : this.name;
      if (argumentsFragment != null) {
        arguments.append(argumentsFragment);
      }
    }

    ToolCall toToolCall() {
      return ToolCall.function(id == null ? "" : id, name == null ? "" : name, arguments.toString());
    }
  }
}
