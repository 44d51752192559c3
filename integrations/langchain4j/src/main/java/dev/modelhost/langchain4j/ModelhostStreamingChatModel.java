package dev.modelhost.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.modelhost.ResponseStream;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.StreamOptions;
import dev.modelhost.langchain4j.internal.Exceptions;
import dev.modelhost.langchain4j.internal.RequestMapper;
import dev.modelhost.langchain4j.internal.StreamRelay;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * A LangChain4j {@link StreamingChatModel} answered by a Modelhost service in this process. The
 * request is checked and queued on the caller's thread (a refusal reaches {@code onError} before
 * {@code doChat} returns); the stream is read on the builder's executor, which calls the handler.
 * {@code context.streamingHandle().cancel()} in {@code onPartialResponse} (or from any thread)
 * stops the generation within one decoder step; no callback follows a cancel. An exception thrown
 * by the handler ends the stream and goes to {@code onError}.
 */
public final class ModelhostStreamingChatModel extends ModelhostModel implements StreamingChatModel {

  private final Executor executor;

  private ModelhostStreamingChatModel(Builder builder) {
    super(builder);
    this.executor = builder.executor != null ? builder.executor : DefaultExecutor.INSTANCE;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void doChat(ChatRequest chatRequest, StreamingChatResponseHandler handler) {
    ResponseStream<ChatCompletionChunk> stream;
    try {
      ChatCompletionRequest request = RequestMapper.toRequest(chatRequest).toBuilder()
          .stream(true)
          .streamOptions(StreamOptions.withUsage())
          .build();
      stream = host.streamChat(request, caller);
    } catch (RuntimeException e) {
      handler.onError(Exceptions.toLangChain4j(e));
      return;
    }
    executor.execute(new StreamRelay(stream, handler));
  }

  public static final class Builder extends ModelhostModelBuilder<Builder> {

    private @Nullable Executor executor;

    private Builder() {}

    /** Where streams are read and the handler is called; by default a shared pool of daemon threads. */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    public ModelhostStreamingChatModel build() {
      return new ModelhostStreamingChatModel(this);
    }
  }

  /** Created on first use, so that a model built with its own executor starts no threads. */
  private static final class DefaultExecutor {
    static final ExecutorService INSTANCE = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "modelhost-langchain4j-stream");
      thread.setDaemon(true);
      return thread;
    });
  }
}
