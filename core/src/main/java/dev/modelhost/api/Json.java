package dev.modelhost.api;

import dev.modelhost.exception.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The JSON mapper that reads and writes the wire types, configured once. */
public final class Json {

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  /** A shared, thread-safe mapper for the wire types. */
  public static JsonMapper mapper() {
    return MAPPER;
  }

  static List<String> stringOrStringArray(JsonNode node, String param) {
    if (node.isString()) {
      return List.of(node.asString());
    }
    if (node.isArray()) {
      List<String> values = new ArrayList<>(node.size());
      for (JsonNode element : node) {
        if (!element.isString()) {
          throw new InvalidRequestException(
              "Invalid type for '" + param + "': expected a string or an array of strings.", param, "invalid_type");
        }
        values.add(element.asString());
      }
      return values;
    }
    throw new InvalidRequestException(
        "Invalid type for '" + param + "': expected a string or an array of strings.", param, "invalid_type");
  }
}
