package dev.modelhost.engine.internal.tools;

import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.optional;
import static dev.modelhost.engine.internal.grammar.Grammar.repeat;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;

import dev.modelhost.engine.internal.grammar.ByteSet;
import dev.modelhost.engine.internal.grammar.Grammar;
import dev.modelhost.engine.internal.grammar.JsonSchemaGrammar;
import dev.modelhost.exception.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * One forced call in the {@code qwen3_coder} form:
 * {@code <tool_call>\n<function=NAME>\n<parameter=P>\nVALUE\n</parameter>\n...</function>\n</tool_call>},
 * the parameters in schema order, required ones always, optional ones possibly left out.
 *
 * <p>A parameter that {@link Qwen3CoderFormat} reads as a string (its schema's type is
 * {@code string}, or unstated) is bare text that cannot contain {@code <}, so that it cannot end
 * early at a {@code </parameter>}; {@code enum}, {@code const}, {@code minLength} and
 * {@code maxLength} hold. Any other parameter is the JSON of its schema; a string inside that JSON
 * that spells {@code </parameter>} would end the value early, as it would in the model's own output.
 * A schema that cannot be written this way (not an object's properties, a parameter of several
 * types, a string parameter with other keywords) is refused naming the function's parameters.
 */
final class Qwen3CoderGrammar {

  private static final Set<String> ANNOTATIONS =
      Set.of("title", "description", "default", "examples", "$schema", "$id", "$comment",
          "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
  private static final Set<String> OBJECT_KEYWORDS = Set.of("type", "properties", "required", "additionalProperties");
  private static final Set<String> TEXT_KEYWORDS = Set.of("type", "enum", "const", "minLength", "maxLength");
  private static final Grammar TEXT_CHAR = Grammar.utf8Char(ByteSet.ofChars("<"));

  private final ForcedFunction function;

  private Qwen3CoderGrammar(ForcedFunction function) {
    this.function = function;
  }

  static Grammar call(ForcedFunction function) {
    List<Grammar> parts = new ArrayList<>();
    parts.add(literal("<tool_call>\n<function=" + function.name() + ">\n"));
    if (function.parameters() != null) {
      new Qwen3CoderGrammar(function).parameters(function.parameters(), parts);
    }
    parts.add(literal("</function>\n</tool_call>"));
    return sequence(parts);
  }

  private void parameters(JsonNode schema, List<Grammar> parts) {
    if (!schema.isObject() || !within(schema, OBJECT_KEYWORDS) || !isType(schema.path("type"), "object")) {
      throw unsupported("a schema that is not an object's 'properties'");
    }
    JsonNode properties = schema.path("properties");
    if (!properties.isMissingNode() && !properties.isObject()) {
      throw unsupported("'properties' that is not an object");
    }
    Set<String> required = new HashSet<>();
    for (JsonNode name : schema.path("required")) {
      if (!name.isString() || !properties.has(name.stringValue())) {
        throw unsupported("a required property that 'properties' does not declare");
      }
      required.add(name.stringValue());
    }
    for (Map.Entry<String, JsonNode> property : properties.properties()) {
      String name = property.getKey();
      if (name.isEmpty() || !name.strip().equals(name) || name.contains("<") || name.contains(">")) {
        throw unsupported("the parameter name '" + name + "'");
      }
      Grammar parameter = sequence(literal("<parameter=" + name + ">\n"), value(schema, name, property.getValue()),
          literal("\n</parameter>\n"));
      parts.add(required.contains(name) ? parameter : optional(parameter));
    }
  }

  private Grammar value(JsonNode schema, String name, JsonNode property) {
    JsonNode type = property.path("type");
    if (Qwen3CoderFormat.typeName(type).equals("string")) {
      return text(name, property);
    }
    if (type.isArray() && type.valueStream().filter(t -> !t.asString("").equals("null")).count() > 1) {
      throw unsupported("several types for parameter '" + name + "'");
    }
    return JsonSchemaGrammar.property(schema, name, function.param());
  }

  /** Bare text for a parameter read as a string. */
  private Grammar text(String name, JsonNode property) {
    if (property.isBoolean() && property.booleanValue()) {
      return repeat(TEXT_CHAR, 0, Grammar.UNBOUNDED);
    }
    if (!property.isObject() || !within(property, TEXT_KEYWORDS) || !isType(property.path("type"), "string")) {
      throw unsupported("a schema for parameter '" + name + "' that bare text cannot satisfy");
    }
    JsonNode values = property.has("const") ? property.get("const") : property.get("enum");
    if (values != null) {
      if (property.has("minLength") || property.has("maxLength") || (property.has("const") && property.has("enum"))) {
        throw unsupported("'enum' or 'const' with other keywords for parameter '" + name + "'");
      }
      List<Grammar> literals = new ArrayList<>();
      for (JsonNode value : values.isArray() ? values.valueStream().toList() : List.of(values)) {
        if (!value.isString() || value.stringValue().contains("<")) {
          throw unsupported("a value for parameter '" + name + "' that is not bare text without '<'");
        }
        literals.add(literal(value.stringValue()));
      }
      if (literals.isEmpty()) {
        throw unsupported("an empty 'enum' for parameter '" + name + "'");
      }
      return Grammar.choice(literals);
    }
    return repeat(TEXT_CHAR, count(property, "minLength", 0, name), count(property, "maxLength", Grammar.UNBOUNDED, name));
  }

  private int count(JsonNode schema, String keyword, int absent, String name) {
    JsonNode node = schema.get(keyword);
    if (node == null) {
      return absent;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0
        || (keyword.equals("maxLength") && node.intValue() < count(schema, "minLength", 0, name))) {
      throw unsupported("a bad '" + keyword + "' for parameter '" + name + "'");
    }
    return node.intValue();
  }

  /** Whether {@code type} is unstated, {@code expected}, or a list holding it. */
  private static boolean isType(JsonNode type, String expected) {
    if (type.isMissingNode()) {
      return true;
    }
    return type.isArray() ? type.valueStream().anyMatch(t -> t.asString("").equals(expected)) : type.asString("").equals(expected);
  }

  private static boolean within(JsonNode schema, Set<String> keywords) {
    return schema.propertyNames().stream().allMatch(k -> keywords.contains(k) || ANNOTATIONS.contains(k));
  }

  private InvalidRequestException unsupported(String what) {
    return new InvalidRequestException(
        "Unsupported value: '" + function.param() + "' uses " + what
            + ", which forced calls in the qwen3_coder tool-call format cannot write.",
        function.param(), "unsupported_value");
  }
}
