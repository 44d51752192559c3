package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * A tool call made by the assistant. In stream chunks {@code index} says which call a fragment
 * extends and the other fields may be partial; in whole messages {@code index} is absent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ToolCall(
    @JsonProperty("index") @Nullable Integer index,
    @JsonProperty("id") @Nullable String id,
    @JsonProperty("type") @Nullable String type,
    @JsonProperty("function") @Nullable FunctionCall function) {

  public static ToolCall function(String id, String name, String arguments) {
    return new ToolCall(null, id, "function", new FunctionCall(name, arguments));
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record FunctionCall(
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("arguments") @Nullable String arguments) {}
}
