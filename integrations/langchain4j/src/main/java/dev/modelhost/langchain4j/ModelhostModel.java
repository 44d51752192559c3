package dev.modelhost.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.modelhost.Caller;
import dev.modelhost.ModelHost;
import java.util.List;
import java.util.Set;

/** What the blocking and the streaming model share: the host, the caller, defaults and listeners. */
abstract class ModelhostModel {

  final ModelHost host;
  final Caller caller;
  private final ModelhostChatRequestParameters defaultRequestParameters;
  private final List<ChatModelListener> listeners;

  ModelhostModel(ModelhostModelBuilder<?> builder) {
    this.host = builder.host();
    this.caller = builder.caller();
    this.defaultRequestParameters = builder.parameters();
    this.listeners = builder.listeners();
  }

  public ModelhostChatRequestParameters defaultRequestParameters() {
    return defaultRequestParameters;
  }

  public List<ChatModelListener> listeners() {
    return listeners;
  }

  public ModelProvider provider() {
    return ModelProvider.OTHER;
  }

  /** JSON schemas are passed on as {@code response_format}; whether the service can honour one is its to say. */
  public Set<Capability> supportedCapabilities() {
    return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
  }
}
