package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/** One part of an array-valued message content. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContentPart(
    @JsonProperty("type") @Nullable String type,
    @JsonProperty("text") @Nullable String text,
    @JsonProperty("image_url") @Nullable ImageUrl imageUrl,
    @JsonProperty("input_audio") @Nullable InputAudio inputAudio,
    @JsonProperty("file") @Nullable FileRef file,
    @JsonProperty("refusal") @Nullable String refusal) {

  public static final String TEXT = "text";

  public static ContentPart text(String text) {
    return new ContentPart(TEXT, text, null, null, null, null);
  }

  public static ContentPart imageUrl(String url) {
    return new ContentPart("image_url", null, new ImageUrl(url, null), null, null, null);
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ImageUrl(@JsonProperty("url") @Nullable String url, @JsonProperty("detail") @Nullable String detail) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record InputAudio(@JsonProperty("data") @Nullable String data, @JsonProperty("format") @Nullable String format) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record FileRef(
      @JsonProperty("file_data") @Nullable String fileData,
      @JsonProperty("file_id") @Nullable String fileId,
      @JsonProperty("filename") @Nullable String filename) {}
}
