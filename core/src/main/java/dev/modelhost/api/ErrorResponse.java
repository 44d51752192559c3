package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/** The OpenAI error body {@code {"error":{"message","type","param","code"}}}; nulls are written. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ErrorResponse(@JsonProperty("error") Error error) {

  public static ErrorResponse of(String message, String type, @Nullable String param, @Nullable String code) {
    return new ErrorResponse(new Error(message, type, param, code));
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Error(
      @JsonProperty("message") String message,
      @JsonProperty("type") String type,
      @JsonProperty("param") @Nullable String param,
      @JsonProperty("code") @Nullable String code) {}
}
