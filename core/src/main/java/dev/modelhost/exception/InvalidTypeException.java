package dev.modelhost.exception;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonToken;

/**
 * A request field holds the wrong JSON type, e.g. a string where a number belongs (HTTP 400, code
 * {@code invalid_type}). The message reads like OpenAI's: {@code Invalid type for 'temperature':
 * expected a decimal, but got a string instead.}
 */
public class InvalidTypeException extends InvalidRequestException {

  private final String expected;
  private final @Nullable JsonToken actual;

  /**
   * @param param where the field is, written as OpenAI writes it ({@code temperature},
   *     {@code messages[0].content})
   * @param expected what belongs there, e.g. {@code "a string or an array of strings"}
   * @param actual the token that was sent instead; null when unknown
   */
  public InvalidTypeException(String param, String expected, @Nullable JsonToken actual) {
    super(message(param, expected, actual), param, "invalid_type");
    this.expected = expected;
    this.actual = actual;
  }

  /**
   * The same error, placed where the JSON reader found it. The reader of a value knows only its
   * own field ({@code content}, or {@code content[1]} inside it) and a record knows its fields
   * ({@code tool_calls[1]}); {@code location} is where that value or record sits in the body
   * ({@code messages[0].content}, {@code messages[0]}).
   */
  public InvalidTypeException at(String location) {
    String param = param() == null ? "" : param();
    if (location.isEmpty()) {
      return this;
    }
    int end = 0;
    while (end < param.length() && param.charAt(end) != '[' && param.charAt(end) != '.') {
      end++;
    }
    String field = param.substring(0, end);
    String placed = !location.endsWith("]") && (location.equals(field) || location.endsWith("." + field))
        ? location + param.substring(end)
        : location + "." + param;
    return new InvalidTypeException(placed, expected, actual);
  }

  /** How OpenAI names the type of a JSON value in its error messages. */
  private static @Nullable String describe(@Nullable JsonToken token) {
    if (token == null) {
      return null;
    }
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a decimal";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> null;
    };
  }

  private static String message(String param, String expected, @Nullable JsonToken actual) {
    String got = describe(actual);
    return "Invalid type for '" + param + "': expected " + expected
        + (got == null ? "." : ", but got " + got + " instead.");
  }
}
