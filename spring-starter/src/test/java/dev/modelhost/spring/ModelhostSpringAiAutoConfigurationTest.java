package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.ModelHost;
import dev.modelhost.spi.UsageSink;
import dev.modelhost.springai.ModelhostChatModel;
import dev.modelhost.springai.ModelhostChatOptions;
import dev.modelhost.testing.RecordingUsageSink;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ModelhostSpringAiAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ModelhostAutoConfiguration.class, ModelhostSpringAiAutoConfiguration.class))
      .withBean(ModelhostCustomizer.class, () -> builder -> builder.backend(new ScriptedBackend()))
      .withPropertyValues(
          "modelhost.services[0].owner=acme",
          "modelhost.services[0].name=chat",
          "modelhost.services[0].backend=scripted",
          "modelhost.services[0].location=scripted-model");

  @Test
  void aChatModelAsksTheOnlyServiceUnderTheConfiguredCaller() {
    RecordingUsageSink records = new RecordingUsageSink();
    runner.withPropertyValues("modelhost.spring-ai.caller=reports-app")
        .withBean("recordingSink", UsageSink.class, () -> records)
        .run(context -> {
          context.getBean(ModelHost.class).awaitRunning("acme/chat", Duration.ofSeconds(30));
          ChatModel model = context.getBean(ChatModel.class);

          ChatResponse response = ChatClient.create(model).prompt().user("Hello").call().chatResponse();

          assertThat(model.getOptions().getModel()).isEqualTo("acme/chat");
          assertThat(response.getMetadata().getModel()).isEqualTo("acme/chat");
          assertThat(records.awaitOne(response.getMetadata().getId()).caller()).isEqualTo("reports-app");
        });
  }

  @Test
  void theConfiguredServiceWinsAndRequestsMayNameAnother() {
    runner.withPropertyValues(
            "modelhost.services[1].owner=acme",
            "modelhost.services[1].name=other",
            "modelhost.services[1].backend=scripted",
            "modelhost.services[1].location=scripted-model",
            "modelhost.spring-ai.model=acme/chat")
        .run(context -> {
          ModelHost host = context.getBean(ModelHost.class);
          host.awaitRunning("acme/chat", Duration.ofSeconds(30));
          host.awaitRunning("acme/other", Duration.ofSeconds(30));
          ChatClient client = ChatClient.create(context.getBean(ChatModel.class));

          assertThat(client.prompt().user("Hello").call().chatResponse().getMetadata().getModel())
              .isEqualTo("acme/chat");
          assertThat(client.prompt().user("Hello").options(ModelhostChatOptions.builder().model("acme/other"))
                  .call().chatResponse().getMetadata().getModel())
              .isEqualTo("acme/other");
        });
  }

  @Test
  void anApplicationsOwnModelhostChatModelReplacesTheStartersOne() {
    runner.withBean("mine", ModelhostChatModel.class,
            () -> ModelhostChatModel.builder().host(ModelHost.builder().build()).build())
        .run(context -> assertThat(context).getBeans(ModelhostChatModel.class).containsOnlyKeys("mine"));
  }

  @Test
  void withoutSpringAiOnTheClassPathThereIsNoChatModel() {
    runner.withClassLoader(new FilteredClassLoader(ChatModel.class))
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(ModelHost.class);
          assertThat(context).doesNotHaveBean("modelhostChatModel");
        });
  }
}
