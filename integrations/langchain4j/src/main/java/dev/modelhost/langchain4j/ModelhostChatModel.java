package dev.modelhost.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.modelhost.Caller;
import dev.modelhost.langchain4j.internal.Exceptions;
import dev.modelhost.langchain4j.internal.RequestMapper;
import dev.modelhost.langchain4j.internal.ResponseMapper;

/**
 * A LangChain4j {@link ChatModel} answered by a Modelhost service in this process: no HTTP, and
 * the request is metered under the builder's {@link Caller}. LangChain4j applies the defaults and
 * calls the listeners; {@link #doChat} maps the request, asks the host and maps the answer.
 * Errors arrive as LangChain4j's exception types ({@code dev.langchain4j.exception}) with the
 * Modelhost exception as cause.
 *
 * <pre>{@code
 * ChatModel model = ModelhostChatModel.builder().host(host).modelName("local/default").build();
 * String answer = model.chat("Tell me a fortune.");
 * }</pre>
 */
public final class ModelhostChatModel extends ModelhostModel implements ChatModel {


  private ModelhostChatModel(Builder builder) {
    super(builder);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ChatResponse doChat(ChatRequest chatRequest) {
    try {
      return ResponseMapper.toChatResponse(host.chat(RequestMapper.toRequest(chatRequest), caller));
    } catch (RuntimeException e) {
      throw Exceptions.toLangChain4j(e);
    }
  }

  public static final class Builder extends ModelhostModelBuilder<Builder> {

    private Builder() {}

    public ModelhostChatModel build() {
      return new ModelhostChatModel(this);
    }
  }
}
