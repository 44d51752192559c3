package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** {@code response_format}: {@code text}, {@code json_object} or {@code json_schema}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResponseFormat(
    @JsonProperty("type") @Nullable String type,
    @JsonProperty("json_schema") @Nullable JsonSchema jsonSchema) {

  public static final ResponseFormat TEXT = new ResponseFormat("text", null);
  public static final ResponseFormat JSON_OBJECT = new ResponseFormat("json_object", null);

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record JsonSchema(
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("description") @Nullable String description,
      @JsonProperty("schema") @Nullable JsonNode schema,
      @JsonProperty("strict") @Nullable Boolean strict) {}
}
