package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code stop}: a single string or an array of strings on the wire; always a list here. Written
 * back as an array.
 */
public record StopSequences(@JsonValue List<String> values) {

  public StopSequences {
    values = List.copyOf(values);
  }

  public static StopSequences of(String... values) {
    return new StopSequences(List.of(values));
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static StopSequences fromJson(JsonNode node) {
    return new StopSequences(Json.stringOrStringArray(node, "stop"));
  }
}
