package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** A tool the model may call; only {@code function} tools exist in chat completions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Tool(
    @JsonProperty("type") @Nullable String type,
    @JsonProperty("function") @Nullable FunctionDefinition function) {

  public static Tool function(String name, @Nullable String description, @Nullable JsonNode parameters) {
    return new Tool("function", new FunctionDefinition(name, description, parameters, null));
  }

  /** A function's name, description and JSON Schema of its parameters. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record FunctionDefinition(
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("description") @Nullable String description,
      @JsonProperty("parameters") @Nullable JsonNode parameters,
      @JsonProperty("strict") @Nullable Boolean strict) {}
}
