package dev.modelhost.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.modelhost.Caller;
import dev.modelhost.ModelHost;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What both Modelhost chat models are built from: the host, the service to ask (its access path,
 * LangChain4j's {@code modelName}), the {@link Caller} its usage is recorded under, default
 * request parameters and listeners. A parameter set here wins over the same one in
 * {@link #defaultRequestParameters(ChatRequestParameters)}, as in LangChain4j's own providers.
 */
public abstract class ModelhostModelBuilder<B extends ModelhostModelBuilder<B>> {

  private @Nullable ModelHost host;
  private Caller caller = Caller.LOCAL;
  private ChatRequestParameters defaultRequestParameters = ModelhostChatRequestParameters.EMPTY;
  private final ModelhostChatRequestParameters.Builder overrides = ModelhostChatRequestParameters.builder();
  private List<ChatModelListener> listeners = List.of();

  ModelhostModelBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** The host whose services answer; required. */
  public B host(ModelHost host) {
    this.host = Objects.requireNonNull(host, "host");
    return self();
  }

  /** The service's access path, {@code owner/name}; a request's own {@code modelName} wins. */
  public B modelName(String modelName) {
    overrides.modelName(Objects.requireNonNull(modelName, "modelName"));
    return self();
  }

  /** Whom requests are metered under (usage records, quotas); {@link Caller#LOCAL} by default. */
  public B caller(Caller caller) {
    this.caller = Objects.requireNonNull(caller, "caller");
    return self();
  }

  /** Common or {@link ModelhostChatRequestParameters Modelhost-specific} defaults for every request. */
  public B defaultRequestParameters(ChatRequestParameters parameters) {
    this.defaultRequestParameters = Objects.requireNonNull(parameters, "parameters");
    return self();
  }

  public B temperature(Double temperature) {
    overrides.temperature(temperature);
    return self();
  }

  public B topP(Double topP) {
    overrides.topP(topP);
    return self();
  }

  public B topK(Integer topK) {
    overrides.topK(topK);
    return self();
  }

  public B maxTokens(Integer maxTokens) {
    overrides.maxOutputTokens(maxTokens);
    return self();
  }

  public B stopSequences(List<String> stopSequences) {
    overrides.stopSequences(List.copyOf(stopSequences));
    return self();
  }

  public B seed(Long seed) {
    overrides.seed(seed);
    return self();
  }

  public B listeners(List<ChatModelListener> listeners) {
    this.listeners = List.copyOf(listeners);
    return self();
  }

  ModelHost host() {
    if (host == null) {
      throw new IllegalStateException("host is required");
    }
    return host;
  }

  Caller caller() {
    return caller;
  }

  ModelhostChatRequestParameters parameters() {
    return ModelhostChatRequestParameters.builder()
        .overrideWith(defaultRequestParameters)
        .overrideWith(overrides.build())
        .build();
  }

  List<ChatModelListener> listeners() {
    return listeners;
  }
}
