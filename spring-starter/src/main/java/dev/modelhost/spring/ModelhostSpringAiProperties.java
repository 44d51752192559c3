package dev.modelhost.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings under {@code modelhost.spring-ai.*}: the Spring AI {@code ChatModel} bean's defaults. */
@ConfigurationProperties("modelhost.spring-ai")
public class ModelhostSpringAiProperties {

  /**
   * The service (access path, {@code owner/name}) the ChatModel asks when a request names none.
   * When unset and {@code modelhost.services} has exactly one service, that one.
   */
  private @Nullable String model;

  /** The caller id the ChatModel's requests are metered under (usage records, quotas). */
  private String caller = "local";

  public @Nullable String getModel() {
    return model;
  }

  public void setModel(@Nullable String model) {
    this.model = model;
  }

  public String getCaller() {
    return caller;
  }

  public void setCaller(String caller) {
    this.caller = caller;
  }
}
