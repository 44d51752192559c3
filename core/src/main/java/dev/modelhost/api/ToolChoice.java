package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.InvalidTypeException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * {@code tool_choice}: {@code "none"}, {@code "auto"}, {@code "required"}, or
 * {@code {"type":"function","function":{"name":...}}} to force one function.
 */
public final class ToolChoice {

  public static final ToolChoice NONE = new ToolChoice("none", null);
  public static final ToolChoice AUTO = new ToolChoice("auto", null);
  public static final ToolChoice REQUIRED = new ToolChoice("required", null);

  private final String mode;
  private final @Nullable String functionName;

  private ToolChoice(String mode, @Nullable String functionName) {
    this.mode = mode;
    this.functionName = functionName;
  }

  public static ToolChoice function(String name) {
    return new ToolChoice("function", Objects.requireNonNull(name));
  }

  /** {@code none}, {@code auto}, {@code required} or {@code function}. */
  public String mode() {
    return mode;
  }

  /** The forced function's name when {@link #mode()} is {@code function}. */
  public @Nullable String functionName() {
    return functionName;
  }

  @JsonValue
  Object json() {
    if (functionName == null) {
      return mode;
    }
    Map<String, Object> choice = new LinkedHashMap<>();
    choice.put("type", "function");
    choice.put("function", Map.of("name", functionName));
    return choice;
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static ToolChoice fromJson(JsonNode node) {
    if (node.isString()) {
      return switch (node.asString()) {
        case "none" -> NONE;
        case "auto" -> AUTO;
        case "required" -> REQUIRED;
        default -> throw invalid();
      };
    }
    if (!node.isObject()) {
      throw new InvalidTypeException("tool_choice", "a string or an object", node.asToken());
    }
    JsonNode name = node.path("function").path("name");
    if ("function".equals(node.path("type").asString(null)) && name.isString()) {
      return function(name.asString());
    }
    throw invalid();
  }

  private static InvalidRequestException invalid() {
    return new InvalidRequestException(
        "Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or"
            + " {\"type\": \"function\", \"function\": {\"name\": ...}}.",
        "tool_choice",
        "invalid_value");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ToolChoice other
        && mode.equals(other.mode)
        && Objects.equals(functionName, other.functionName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, functionName);
  }

  @Override
  public String toString() {
    return functionName == null ? mode : "function:" + functionName;
  }
}
