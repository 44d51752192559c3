package dev.modelhost.langchain4j;

import static dev.modelhost.langchain4j.AiServicesTest.PROMPT;
import static dev.modelhost.langchain4j.DefaultModelHost.HOST;
import static dev.modelhost.langchain4j.DefaultModelHost.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.message.VideoContent;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.modelhost.exception.ModelhostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviours LangChain4j's chat-model contract asks of a provider, checked on both models
 * against the default model (LangChain4j publishes its {@code AbstractChatModelIT} only in its
 * sources, and its cases assume a large model that follows instructions; these assume only the
 * default model's greedy answer).
 */
class ChatModelBehavioursTest {

  /** The two models behind one blocking call: the streaming one is read to its end. */
  enum Kind {
    CHAT {
      @Override
      ChatResponse chat(ChatRequest request, List<ChatModelListener> listeners) {
        return ModelhostChatModel.builder().host(HOST).modelName(SERVICE).listeners(listeners).build().chat(request);
      }
    },
    STREAMING {
      @Override
      ChatResponse chat(ChatRequest request, List<ChatModelListener> listeners) {
        ModelhostStreamingChatModel model =
            ModelhostStreamingChatModel.builder().host(HOST).modelName(SERVICE).listeners(listeners).build();
        CompletableFuture<ChatResponse> response = new CompletableFuture<>();
        model.chat(request, new StreamingChatResponseHandler() {
          @Override
          public void onCompleteResponse(ChatResponse complete) {
            response.complete(complete);
          }

          @Override
          public void onError(Throwable error) {
            response.completeExceptionally(error);
          }
        });
        try {
          return response.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          throw (RuntimeException) e.getCause();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }
    };

    abstract ChatResponse chat(ChatRequest request, List<ChatModelListener> listeners);

    ChatResponse chat(ChatRequest request) {
      return chat(request, List.of());
    }
  }

  static ChatRequest.Builder greedy(ChatMessage... messages) {
    return ChatRequest.builder().messages(messages).temperature(0.0).maxOutputTokens(64);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void answersWithIdModelUsageAndFinishReason(Kind kind) {
    ChatResponse response = kind.chat(greedy(UserMessage.from(PROMPT)).build());

    assertThat(response.aiMessage().text()).contains(AiServicesTest.GREEDY_ANSWER_PART);
    assertThat(response.id()).startsWith("chatcmpl-");
    assertThat(response.modelName()).isEqualTo(SERVICE);
    assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(13);
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(39);
    assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(52);
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void respectsMaxOutputTokens(Kind kind) {
    ChatResponse response = kind.chat(greedy(UserMessage.from(PROMPT)).maxOutputTokens(5).build());

    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(5);
    assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void respectsStopSequences(Kind kind) {
    ChatResponse response = kind.chat(greedy(UserMessage.from(PROMPT)).stopSequences(List.of("good")).build());

    assertThat(response.aiMessage().text()).contains("I'm a ").doesNotContain("good");
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aSeedMakesSamplingRepeatable(Kind kind) {
    ChatRequest request = ChatRequest.builder()
        .messages(UserMessage.from(PROMPT))
        .parameters(ModelhostChatRequestParameters.builder().temperature(1.0).maxOutputTokens(24).seed(7L).build())
        .build();

    assertThat(kind.chat(request).aiMessage().text()).isEqualTo(kind.chat(request).aiMessage().text());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void takesSystemMessagesAndAToolRoundTripInTheHistory(Kind kind) {
    ToolExecutionRequest call = ToolExecutionRequest.builder()
        .id("call_1").name("lookUpFortune").arguments("{\"topic\":\"luck\"}").build();
    ChatRequest request = greedy(
            SystemMessage.from("You tell fortunes."),
            UserMessage.from(PROMPT),
            // The default model's template concatenates content, so the call comes with text.
            AiMessage.from("Let me look.", List.of(call)),
            ToolExecutionResultMessage.from(call, "A fortune about luck."))
        .build();

    ChatResponse response = kind.chat(request);

    assertThat(response.aiMessage().text()).isNotBlank();
    assertThat(response.tokenUsage().inputTokenCount()).isGreaterThan(13);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void listenersSeeTheRequestWithDefaultsAppliedAndTheResponse(Kind kind) {
    List<Object> seen = new CopyOnWriteArrayList<>();
    ChatModelListener listener = new ChatModelListener() {
      @Override
      public void onRequest(ChatModelRequestContext context) {
        seen.add(context.chatRequest().parameters().modelName());
      }

      @Override
      public void onResponse(ChatModelResponseContext context) {
        seen.add(context.chatResponse().finishReason());
      }
    };

    kind.chat(greedy(UserMessage.from(PROMPT)).maxOutputTokens(3).build(), List.of(listener));

    assertThat(seen).containsExactly(SERVICE, FinishReason.LENGTH);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void anUnknownServiceIsModelNotFound(Kind kind) {
    ChatRequest request = greedy(UserMessage.from(PROMPT)).modelName("local/missing").build();

    assertThatThrownBy(() -> kind.chat(request))
        .isInstanceOf(ModelNotFoundException.class)
        .hasCauseInstanceOf(ModelhostException.class);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aParameterOutOfRangeIsAnInvalidRequestNamingIt(Kind kind) {
    ChatRequest request = ChatRequest.builder()
        .messages(UserMessage.from(PROMPT))
        .parameters(ModelhostChatRequestParameters.builder().minP(2.0).build())
        .build();

    assertThatThrownBy(() -> kind.chat(request))
        .isInstanceOf(InvalidRequestException.class)
        .cause().satisfies(cause -> assertThat(((ModelhostException) cause).param()).isEqualTo("min_p"));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void anImageIsRefusedByTheTextOnlyModel(Kind kind) {
    UserMessage withImage = UserMessage.from(
        TextContent.from("What is in this picture?"), ImageContent.from("https://example.com/cat.png"));

    assertThatThrownBy(() -> kind.chat(greedy(withImage).build()))
        .isInstanceOf(InvalidRequestException.class)
        .cause().satisfies(cause -> assertThat(((ModelhostException) cause).code()).isEqualTo("unsupported_content"));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void videoHasNoCounterpartAndIsRefusedBeforeSending(Kind kind) {
    UserMessage withVideo = UserMessage.from(TextContent.from("Describe it."), VideoContent.from("https://example.com/a.mp4"));

    assertThatThrownBy(() -> kind.chat(greedy(withVideo).build())).isInstanceOf(UnsupportedFeatureException.class);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aRequestWithoutAServiceIsAnInvalidRequest(Kind kind) {
    ChatRequestParameters noModel = ChatRequestParameters.builder().build();
    ModelhostChatModel model = ModelhostChatModel.builder().host(HOST).build();

    assertThat(model.defaultRequestParameters().modelName()).isNull();
    assertThatThrownBy(() -> model.chat(ChatRequest.builder().messages(UserMessage.from(PROMPT)).parameters(noModel).build()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("modelName");
  }
}
