package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code stop}: a single string or an array of strings on the wire; always a list here. Written
 * back in the form it was given: a string when {@code array} is false and there is one value.
 */
public record StopSequences(List<String> values, boolean array) {

  public StopSequences {
    values = List.copyOf(values);
  }

  /** Stop sequences written as an array. */
  public StopSequences(List<String> values) {
    this(values, true);
  }

  public static StopSequences of(String... values) {
    return new StopSequences(List.of(values));
  }

  @JsonValue
  Object json() {
    return !array && values.size() == 1 ? values.get(0) : values;
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static StopSequences fromJson(JsonNode node) {
    return new StopSequences(Json.stringOrStringArray(node, "stop"), !node.isString());
  }
}
