package dev.modelhost.engine.internal.grammar;

import static dev.modelhost.engine.internal.grammar.Grammar.choice;
import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.optional;
import static dev.modelhost.engine.internal.grammar.Grammar.repeat;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;

import dev.modelhost.api.Json;
import dev.modelhost.exception.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** JSON texts as grammars (a small subset; being extended). */
public final class JsonSchemaGrammar {

  private static final int GENERIC_DEPTH = 6;
  private static final Grammar WS = optional(choice(literal(" "), sequence(literal("\n"), repeat(literal(" "), 0, 20))));
  private static final Grammar STRING = sequence(literal("\""), repeat(choice(
      Grammar.utf8Char(ByteSet.range(0, 0x1F).union(ByteSet.ofChars("\"\\"))),
      sequence(literal("\\"), choice(Grammar.bytes(ByteSet.ofChars("\"\\/bfnrt")),
          sequence(literal("u"), repeat(Grammar.bytes(ByteSet.ofChars("0123456789abcdefABCDEF")), 4, 4))))),
      0, Grammar.UNBOUNDED), literal("\""));
  private static final Grammar INTEGER = sequence(optional(literal("-")),
      choice(literal("0"), sequence(Grammar.bytes(ByteSet.range('1', '9')), repeat(Grammar.bytes(ByteSet.range('0', '9')), 0, 15))));
  private static final Grammar NUMBER = sequence(INTEGER,
      optional(sequence(literal("."), repeat(Grammar.bytes(ByteSet.range('0', '9')), 1, 16))),
      optional(sequence(Grammar.bytes(ByteSet.ofChars("eE")), optional(Grammar.bytes(ByteSet.ofChars("+-"))),
          repeat(Grammar.bytes(ByteSet.range('0', '9')), 1, 3))));

  private JsonSchemaGrammar() {}

  /** One JSON object with any content. */
  public static Grammar anyObject() {
    return sequence(optional(literal(" ")), genericObject(GENERIC_DEPTH));
  }

  /** JSON texts valid against {@code schema}. */
  public static Grammar schema(JsonNode schema, String param) {
    return sequence(optional(literal(" ")), value(schema, param));
  }

  private static final java.util.Set<String> KNOWN = java.util.Set.of("type", "enum", "properties", "required",
      "additionalProperties", "items", "title", "description");

  private static Grammar value(JsonNode schema, String param) {
    for (String keyword : schema.propertyNames()) {
      if (!KNOWN.contains(keyword)) {
        throw new InvalidRequestException("Unsupported value: '" + param + "' uses '" + keyword
            + "', which constrained decoding does not support.", param, "unsupported_value");
      }
    }
    if (schema.has("enum")) {
      List<Grammar> values = new ArrayList<>();
      for (JsonNode v : schema.get("enum")) {
        values.add(literal(Json.mapper().writeValueAsString(v)));
      }
      return choice(values);
    }
    String type = schema.path("type").asString("");
    return switch (type) {
      case "string" -> STRING;
      case "integer" -> INTEGER;
      case "number" -> NUMBER;
      case "boolean" -> choice(literal("true"), literal("false"));
      case "null" -> literal("null");
      case "object" -> object(schema, param);
      case "array" -> array(schema.path("items").isObject() ? value(schema.get("items"), param) : generic(GENERIC_DEPTH));
      default -> throw new InvalidRequestException("Unsupported value: '" + param + "' uses a schema this model cannot"
          + " enforce.", param, "unsupported_value");
    };
  }

  private static Grammar object(JsonNode schema, String param) {
    if (!schema.path("properties").isObject()) {
      return genericObject(GENERIC_DEPTH);
    }
    List<Grammar> parts = new ArrayList<>();
    parts.add(literal("{"));
    parts.add(WS);
    boolean first = true;
    for (Map.Entry<String, JsonNode> property : schema.get("properties").properties()) {
      if (!first) {
        parts.add(literal(","));
        parts.add(WS);
      }
      first = false;
      parts.add(literal(Json.mapper().writeValueAsString(property.getKey())));
      parts.add(WS);
      parts.add(literal(":"));
      parts.add(WS);
      parts.add(value(property.getValue(), param));
      parts.add(WS);
    }
    parts.add(literal("}"));
    return sequence(parts);
  }

  private static Grammar array(Grammar item) {
    return sequence(literal("["), WS, optional(sequence(item, WS, repeat(sequence(literal(","), WS, item, WS), 0,
        Grammar.UNBOUNDED))), literal("]"));
  }

  private static Grammar generic(int depth) {
    List<Grammar> kinds = new ArrayList<>(List.of(STRING, NUMBER, literal("true"), literal("false"), literal("null")));
    if (depth > 1) {
      kinds.add(genericObject(depth - 1));
      kinds.add(array(generic(depth - 1)));
    }
    return choice(kinds);
  }

  private static Grammar genericObject(int depth) {
    Grammar member = sequence(STRING, WS, literal(":"), WS, depth > 1 ? generic(depth - 1) : choice(STRING, NUMBER), WS);
    return sequence(literal("{"), WS, optional(sequence(member, repeat(sequence(literal(","), WS, member), 0,
        Grammar.UNBOUNDED))), literal("}"));
  }
}
