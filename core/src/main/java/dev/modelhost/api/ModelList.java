package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /v1/models}: the model services the caller may use. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelList(@JsonProperty("object") String object, @JsonProperty("data") List<Model> data) {

  public ModelList {
    data = List.copyOf(data);
  }

  public static ModelList of(List<Model> models) {
    return new ModelList("list", models);
  }

  /** One model service; {@code id} is its access path name. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Model(
      @JsonProperty("id") String id,
      @JsonProperty("object") String object,
      @JsonProperty("created") long created,
      @JsonProperty("owned_by") String ownedBy) {

    public static Model of(String id, long created, String ownedBy) {
      return new Model(id, "model", created, ownedBy);
    }
  }
}
