package dev.modelhost.springai;

import dev.modelhost.Caller;
import dev.modelhost.ModelHost;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.StreamOptions;
import dev.modelhost.springai.internal.RequestMapper;
import dev.modelhost.springai.internal.ResponseMapper;
import dev.modelhost.springai.internal.StreamReader;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingManager;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * A Spring AI {@link ChatModel} answered by a Modelhost service in this process, metered under the
 * builder's {@link Caller}. As in Spring AI 2's own models, the tools of the options are resolved
 * to definitions by the {@link ToolCallingManager} and sent to the service; running them and
 * sending their results back is the {@code ChatClient}'s tool-calling advisor's work. A prompt's
 * {@link ModelhostChatOptions} are used as they are (the {@code ChatClient} has already merged them
 * with {@link #getOptions()}); any other options are merged into the defaults. Errors are
 * Modelhost's exceptions ({@code dev.modelhost.exception}), with HTTP status, {@code param} and
 * {@code code}.
 *
 * <p>{@link #stream} reads the answer on demand on Reactor's bounded-elastic scheduler; cancelling
 * the subscription cancels the generation.
 */
public final class ModelhostChatModel implements ChatModel {

  private final ModelHost host;
  private final Caller caller;
  private final ModelhostChatOptions defaultOptions;
  private final ToolCallingManager toolCallingManager;

  private ModelhostChatModel(Builder builder) {
    this.host = Objects.requireNonNull(builder.host, "host is required");
    this.caller = builder.caller;
    this.defaultOptions = builder.defaultOptions;
    this.toolCallingManager = builder.toolCallingManager != null
        ? builder.toolCallingManager
        : ToolCallingManager.builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ChatResponse call(Prompt prompt) {
    return ResponseMapper.toChatResponse(host.chat(toRequest(prompt), caller));
  }

  @Override
  public Flux<ChatResponse> stream(Prompt prompt) {
    return Flux.defer(() -> {
          ChatCompletionRequest request = toRequest(prompt).toBuilder()
              .stream(true)
              .streamOptions(StreamOptions.withUsage())
              .build();
          StreamReader reader = new StreamReader(host.streamChat(request, caller));
          return Flux.<ChatResponse, StreamReader>generate(() -> reader, StreamReader::next, StreamReader::close);
        })
        .subscribeOn(Schedulers.boundedElastic());
  }

  private ChatCompletionRequest toRequest(Prompt prompt) {
    ModelhostChatOptions options = options(prompt.getOptions());
    return RequestMapper.toRequest(prompt.getInstructions(), options,
        toolCallingManager.resolveToolDefinitions(options));
  }

  private ModelhostChatOptions options(@Nullable ChatOptions promptOptions) {
    if (promptOptions == null) {
      return defaultOptions;
    }
    if (promptOptions instanceof ModelhostChatOptions modelhost) {
      return modelhost;
    }
    return defaultOptions.mutate().combineWith(promptOptions.mutate()).build();
  }

  @Override
  public ModelhostChatOptions getOptions() {
    return defaultOptions;
  }

  public static final class Builder {

    private @Nullable ModelHost host;
    private Caller caller = Caller.LOCAL;
    private ModelhostChatOptions defaultOptions = ModelhostChatOptions.builder().build();
    private @Nullable ToolCallingManager toolCallingManager;

    private Builder() {}

    /** The host whose services answer; required. */
    public Builder host(ModelHost host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Whom requests are metered under (usage records, quotas); {@link Caller#LOCAL} by default. */
    public Builder caller(Caller caller) {
      this.caller = Objects.requireNonNull(caller, "caller");
      return this;
    }

    /** Options of every request; {@code model} names the service ({@code owner/name}). */
    public Builder defaultOptions(ModelhostChatOptions defaultOptions) {
      this.defaultOptions = Objects.requireNonNull(defaultOptions, "defaultOptions");
      return this;
    }

    /** Resolves the options' tools to the definitions sent; a default manager when not set. */
    public Builder toolCallingManager(ToolCallingManager toolCallingManager) {
      this.toolCallingManager = Objects.requireNonNull(toolCallingManager, "toolCallingManager");
      return this;
    }

    public ModelhostChatModel build() {
      return new ModelhostChatModel(this);
    }
  }
}
