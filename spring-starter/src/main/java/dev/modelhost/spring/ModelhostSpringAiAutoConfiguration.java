package dev.modelhost.spring;

import dev.modelhost.Caller;
import dev.modelhost.ModelHost;
import dev.modelhost.springai.ModelhostChatModel;
import dev.modelhost.springai.ModelhostChatOptions;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * A Spring AI {@code ChatModel} answered by the application's {@link ModelHost}, when Spring AI and
 * {@code modelhost-spring-ai} are on the class path. One bean for all services: it asks
 * {@code modelhost.spring-ai.model} (or the only configured service) unless a request names another
 * with {@link ModelhostChatOptions#getModel()}, so a {@code ChatClient.Builder} (which wants one
 * {@code ChatModel}) works as it is. An application bean of type {@link ModelhostChatModel}
 * replaces it; a {@link ToolCallingManager} bean, when there is one, resolves the tools.
 */
@AutoConfiguration(after = ModelhostAutoConfiguration.class)
@ConditionalOnClass(name = {
    "org.springframework.ai.chat.model.ChatModel",
    "dev.modelhost.springai.ModelhostChatModel"})
@EnableConfigurationProperties(ModelhostSpringAiProperties.class)
public class ModelhostSpringAiAutoConfiguration {

  @Bean
  @ConditionalOnBean(ModelHost.class)
  @ConditionalOnMissingBean(ModelhostChatModel.class)
  public ModelhostChatModel modelhostChatModel(ModelHost host, ModelhostSpringAiProperties springAi,
      ModelhostProperties properties, ObjectProvider<ToolCallingManager> toolCallingManager) {
    ModelhostChatModel.Builder model = ModelhostChatModel.builder()
        .host(host)
        .caller(new Caller(springAi.getCaller()))
        .defaultOptions(ModelhostChatOptions.builder().model(defaultService(springAi, properties)).build());
    toolCallingManager.ifAvailable(model::toolCallingManager);
    return model.build();
  }

  private static @Nullable String defaultService(ModelhostSpringAiProperties springAi, ModelhostProperties properties) {
    if (springAi.getModel() != null) {
      return springAi.getModel();
    }
    List<ModelhostProperties.Service> services = properties.getServices();
    return services.size() == 1 ? services.get(0).toSpec().accessPath() : null;
  }
}
