package dev.modelhost.springai.internal;

import dev.modelhost.ResponseStream;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.model.ChatResponse;
import reactor.core.publisher.SynchronousSink;

/**
 * The state of one streamed answer read by {@code Flux.generate}: each demand reads chunks until
 * one carries text, the finish or the usage, and emits it as a {@link ChatResponse}. Tool calls are
 * put together from their fragments and sent whole with the finish, as Spring AI's tool calling
 * expects. Reading on demand keeps the engine's back-pressure: a slow subscriber makes the request
 * sit out decoder steps instead of buffering tokens.
 */
public final class StreamReader implements AutoCloseable {

  private final ResponseStream<ChatCompletionChunk> stream;
  private final Map<Integer, StringBuilder[]> toolCalls = new TreeMap<>();

  public StreamReader(ResponseStream<ChatCompletionChunk> stream) {
    this.stream = stream;
  }

  /** Emits the next response, or completes; a failure of the generation is the flux's error. */
  public StreamReader next(SynchronousSink<ChatResponse> sink) {
    try {
      while (stream.hasNext()) {
        ChatResponse response = toResponse(stream.next());
        if (response != null) {
          sink.next(response);
          return this;
        }
      }
      sink.complete();
    } catch (RuntimeException e) {
      sink.error(e);
    }
    return this;
  }

  private @Nullable ChatResponse toResponse(ChatCompletionChunk chunk) {
    String text = null;
    String finishReason = null;
    for (ChatCompletionChunk.ChunkChoice choice : chunk.choices()) {
      if (choice.index() != 0) {
        continue;
      }
      text = choice.delta().content();
      if (choice.delta().toolCalls() != null) {
        choice.delta().toolCalls().forEach(this::addFragment);
      }
      finishReason = choice.finishReason();
    }
    if ((text == null || text.isEmpty()) && finishReason == null && chunk.usage() == null) {
      return null;
    }
    List<ToolCall> calls = finishReason == null ? List.of() : completeToolCalls();
    return new ChatResponse(
        List.of(ResponseMapper.generation(text == null ? "" : text, calls, finishReason)),
        ResponseMapper.metadata(chunk.id(), chunk.model(), chunk.usage()));
  }

  /** Fragment parts: id, name, arguments. */
  private void addFragment(ToolCall fragment) {
    int index = fragment.index() == null ? toolCalls.size() : fragment.index();
    StringBuilder[] parts = toolCalls.computeIfAbsent(index,
        i -> new StringBuilder[] {new StringBuilder(), new StringBuilder(), new StringBuilder()});
    if (fragment.id() != null) {
      parts[0].setLength(0);
      parts[0].append(fragment.id());
    }
    if (fragment.function() != null && fragment.function().name() != null) {
      parts[1].setLength(0);
      parts[1].append(fragment.function().name());
    }
    if (fragment.function() != null && fragment.function().arguments() != null) {
      parts[2].append(fragment.function().arguments());
    }
  }

  private List<ToolCall> completeToolCalls() {
    List<ToolCall> calls = new ArrayList<>();
    toolCalls.values().forEach(p -> calls.add(ToolCall.function(p[0].toString(), p[1].toString(), p[2].toString())));
    toolCalls.clear();
    return calls;
  }

  /** Closing before the end cancels the generation. */
  @Override
  public void close() {
    stream.close();
  }
}
