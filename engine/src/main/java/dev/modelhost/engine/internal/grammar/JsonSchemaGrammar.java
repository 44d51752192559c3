package dev.modelhost.engine.internal.grammar;

import static dev.modelhost.engine.internal.grammar.Grammar.choice;
import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;

import dev.modelhost.exception.InvalidRequestException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The grammar of the JSON texts that a JSON schema accepts, for constrained decoding of
 * {@code response_format} and forced tool calls.
 *
 * <p>Output shape. Every text the grammar allows is valid against the schema, but not every valid
 * text is allowed; the shape is fixed so that the automaton stays small:
 *
 * <ul>
 *   <li>At the root, an optional single leading space. Between tokens (after {@code {}, {@code [},
 *       {@code ,}, {@code :} and before <code>}</code>, {@code ]}) an optional single space: the
 *       compact form OpenAI writes. Newlines and indents are left out on purpose: an answer's
 *       length then depends on its content, not on how much whitespace sampling picks.
 *   <li>Integers {@code -?(0|[1-9][0-9]{0,15})}; numbers add an optional fraction {@code
 *       \.[0-9]{1,16}} and exponent {@code [eE][+-]?[0-9]{1,2}} (every such number is a finite double).
 *   <li>Strings: any UTF-8 character but {@code "}, {@code \} and U+0000–U+001F, or an escape
 *       ({@code \["\\/bfnrt]}, or {@code \}{@code uXXXX} outside the surrogates). An escape counts as
 *       one character for {@code minLength}/{@code maxLength}.
 *   <li>Objects list the declared properties in schema order; required ones are always there,
 *       optional ones may be left out. Without {@code additionalProperties: false} no undeclared
 *       property is generated either (the text still validates).
 *   <li>Values that the schema leaves free ({@code {}}, {@code true}, an object without properties)
 *       nest at most {@value JsonText#GENERIC_DEPTH} container levels: a grammar is regular, so
 *       unbounded nesting cannot be expressed; for the same reason a recursive {@code $ref} is
 *       refused.
 *   <li>{@code enum} and {@code const} values are written as compact JSON. Formats {@code date},
 *       {@code time} and {@code date-time} follow RFC 3339 (real calendar days, no leap seconds,
 *       {@code T} and {@code Z} upper case); {@code uuid} is lower-case 8-4-4-4-12.
 * </ul>
 *
 * <p>Supported keywords: {@code type} (a name or a list), {@code enum}, {@code const}, {@code
 * properties}, {@code required}, {@code additionalProperties} ({@code false}, {@code true}, or a
 * schema when there are no properties), {@code items}, {@code minItems}, {@code maxItems}, {@code
 * minLength}, {@code maxLength}, {@code format} (the four above), {@code minimum}, {@code maximum},
 * {@code exclusiveMinimum}, {@code exclusiveMaximum} ({@link NumberRange}), {@code anyOf}, and {@code $ref} to a
 * place in the same document; annotations are ignored. Any other keyword is refused with an {@link
 * InvalidRequestException} naming the keyword and where it is, never ignored.
 */
public final class JsonSchemaGrammar {

  private static final Set<String> ANNOTATIONS =
      Set.of("title", "description", "default", "examples", "$schema", "$id", "$comment",
          "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
  private static final Set<String> TYPES =
      Set.of("string", "integer", "number", "boolean", "null", "object", "array");
  private static final Set<String> BOUNDS = Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
  private static final Set<String> NUMERIC =
      Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "format");
  /** OpenAPI's numeric formats, which schema generators write for Java's int, long, float and double. */
  private static final Map<String, Long> INTEGER_FORMAT_LIMITS =
      Map.of("int32", (long) Integer.MAX_VALUE, "int64", NumberRange.LIMIT);
  private static final Map<String, Set<String>> KEYWORDS_BY_TYPE =
      Map.of(
          "string", Set.of("minLength", "maxLength", "format"),
          "integer", NUMERIC,
          "number", NUMERIC,
          "object", Set.of("properties", "required", "additionalProperties"),
          "array", Set.of("items", "minItems", "maxItems"));

  private final JsonNode root;
  private final String param;
  /** The {@code $ref} targets being expanded, to refuse a reference to itself. */
  private final Deque<String> expanding = new ArrayDeque<>();
  /** Grammars of {@code $ref} targets, built once however often they are referenced. */
  private final Map<String, Grammar> referenced = new HashMap<>();

  private JsonSchemaGrammar(JsonNode root, String param) {
    this.root = root;
    this.param = param;
  }

  /**
   * The grammar of the JSON texts valid against {@code schema}.
   *
   * @param param the request parameter the schema came from, named in errors
   * @throws InvalidRequestException when the schema is malformed ({@code invalid_value}) or uses a
   *     keyword constrained decoding does not support ({@code unsupported_value})
   */
  public static Grammar schema(JsonNode schema, String param) {
    return sequence(JsonText.LEADING, new JsonSchemaGrammar(schema, param).value(schema, "#"));
  }

  /**
   * The grammar of the JSON texts valid against property {@code name} of the object schema
   * {@code schema}; a {@code $ref} in it resolves against {@code schema}.
   *
   * @param param the request parameter {@code schema} came from, named in errors
   */
  public static Grammar property(JsonNode schema, String name, String param) {
    return sequence(JsonText.LEADING, new JsonSchemaGrammar(schema, param)
        .value(schema.path("properties").path(name), "#/properties/" + pointerSegment(name)));
  }

  /** One JSON object with any content, as {@code response_format: json_object} asks. */
  public static Grammar anyObject() {
    return sequence(JsonText.LEADING, JsonText.anyObject());
  }

  private Grammar value(JsonNode schema, String path) {
    if (schema.isBoolean()) {
      if (!schema.booleanValue()) {
        throw unsupported("the schema 'false'", path);
      }
      return JsonText.anyValue();
    }
    if (!schema.isObject()) {
      throw invalid(path, "a schema must be an object or a boolean");
    }
    Map<String, JsonNode> keywords = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : schema.properties()) {
      if (!ANNOTATIONS.contains(field.getKey())) {
        keywords.put(field.getKey(), field.getValue());
      }
    }
    if (keywords.containsKey("$ref")) {
      onlyAlongside(keywords, path, "$ref", Set.of());
      return reference(keywords.get("$ref"), path);
    }
    if (keywords.containsKey("anyOf")) {
      onlyAlongside(keywords, path, "anyOf", Set.of());
      return anyOf(keywords.get("anyOf"), path + "/anyOf");
    }
    List<String> types = types(keywords, path);
    if (keywords.containsKey("enum") || keywords.containsKey("const")) {
      return enumeration(keywords, types, path);
    }
    for (String keyword : keywords.keySet()) {
      if (!keyword.equals("type") && KEYWORDS_BY_TYPE.values().stream().noneMatch(k -> k.contains(keyword))) {
        throw unsupported("'" + keyword + "'", path);
      }
    }
    if (types.isEmpty()) {
      types = impliedTypes(keywords);
      if (types.isEmpty()) {
        return JsonText.anyValue();
      }
    }
    List<Grammar> alternatives = new ArrayList<>();
    for (String type : types) {
      alternatives.add(typed(type, keywords, path));
    }
    return choice(alternatives);
  }

  private Grammar typed(String type, Map<String, JsonNode> keywords, String path) {
    return switch (type) {
      case "string" -> string(keywords, path);
      case "integer" -> bounded(keywords, path, false);
      case "number" -> bounded(keywords, path, true);
      case "boolean" -> JsonText.BOOLEAN;
      case "null" -> JsonText.NULL;
      case "object" -> new ObjectGrammar(this, path).of(keywords);
      case "array" -> array(keywords, path);
      default -> throw new IllegalStateException(type);
    };
  }

  /**
   * An integer or number within the schema's bounds ({@link NumberRange}); without bounds, any
   * that JSON text writes here.
   */
  private Grammar bounded(Map<String, JsonNode> keywords, String path, boolean fractions) {
    long low = -NumberRange.LIMIT;
    long high = NumberRange.LIMIT;
    JsonNode format = keywords.get("format");
    if (format != null) {
      String name = format.isString() ? format.stringValue() : "";
      Long limit = INTEGER_FORMAT_LIMITS.get(name);
      if (limit != null) {
        // int32's lowest value is one further from zero than its highest.
        low = name.equals("int32") ? Integer.MIN_VALUE : -limit;
        high = limit;
      } else if (!fractions || !(name.equals("float") || name.equals("double"))) {
        throw unsupported("the format '" + name + "' for " + (fractions ? "numbers" : "integers"), path + "/format");
      }
    }
    if (BOUNDS.stream().noneMatch(keywords::containsKey) && low == -NumberRange.LIMIT && high == NumberRange.LIMIT) {
      return fractions ? JsonText.NUMBER : JsonText.INTEGER;
    }
    for (String keyword : BOUNDS) {
      JsonNode bound = keywords.get(keyword);
      if (bound == null) {
        continue;
      }
      if (!bound.isNumber()) {
        throw invalid(path + "/" + keyword, "'" + keyword + "' must be a number");
      }
      double value = bound.doubleValue();
      boolean exclusive = keyword.startsWith("exclusive");
      // Integral bounds that every value written keeps: inside the limit, rounded inwards.
      if (keyword.endsWith("inimum")) {
        double ceil = Math.ceil(value);
        low = Math.max(low, (long) Math.max(-NumberRange.LIMIT, exclusive && ceil == value ? ceil + 1 : ceil));
      } else {
        double floor = Math.floor(value);
        high = Math.min(high, (long) Math.min(NumberRange.LIMIT, exclusive && floor == value ? floor - 1 : floor));
      }
    }
    Grammar grammar = fractions ? NumberRange.numbers(low, high) : NumberRange.integers(low, high);
    if (grammar == null) {
      throw unsupported("bounds that leave no " + (fractions ? "number" : "integer") + " it can write", path);
    }
    return grammar;
  }

  /** The types a schema without {@code type} is generated as: those its keywords constrain. */
  private static List<String> impliedTypes(Map<String, JsonNode> keywords) {
    List<String> types = new ArrayList<>();
    KEYWORDS_BY_TYPE.forEach((type, constrained) -> {
      // A format alone says string: numeric formats come with a type from every generator.
      boolean numeric = type.equals("integer") || type.equals("number");
      if (constrained.stream().anyMatch(k -> keywords.containsKey(k) && !(numeric && k.equals("format")))) {
        types.add(type);
      }
    });
    return types.stream().sorted().toList();
  }

  private List<String> types(Map<String, JsonNode> keywords, String path) {
    JsonNode type = keywords.get("type");
    if (type == null) {
      return List.of();
    }
    List<JsonNode> names = type.isArray() ? type.valueStream().toList() : List.of(type);
    Set<String> types = new LinkedHashSet<>();
    for (JsonNode name : names) {
      if (!name.isString() || !TYPES.contains(name.stringValue())) {
        throw invalid(path + "/type", "'type' must be one of " + new TreeSet<>(TYPES) + " or a list of them");
      }
      types.add(name.stringValue());
    }
    if (types.isEmpty()) {
      throw invalid(path + "/type", "'type' must not be an empty list");
    }
    return List.copyOf(types);
  }

  private Grammar enumeration(Map<String, JsonNode> keywords, List<String> types, String path) {
    String keyword = keywords.containsKey("enum") ? "enum" : "const";
    onlyAlongside(keywords, path, keyword, Set.of("type", "enum", "const"));
    if (keywords.containsKey("enum") && keywords.containsKey("const")) {
      throw unsupported("'const' alongside 'enum'", path);
    }
    JsonNode enumValues = keywords.get("enum");
    List<JsonNode> values;
    if (enumValues != null) {
      if (!enumValues.isArray() || enumValues.isEmpty()) {
        throw invalid(path + "/enum", "'enum' must be a non-empty list");
      }
      values = enumValues.valueStream().toList();
    } else {
      values = List.of(keywords.get("const"));
    }
    List<Grammar> literals = values.stream()
        .filter(v -> types.isEmpty() || types.stream().anyMatch(t -> hasType(v, t)))
        .map(v -> literal(v.toString()))
        .distinct()
        .toList();
    if (literals.isEmpty()) {
      throw invalid(path, "no value of 'enum' or 'const' has the schema's 'type'");
    }
    return choice(literals);
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "string" -> value.isString();
      case "integer" -> value.isIntegralNumber()
          || (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0);
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "null" -> value.isNull();
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      default -> false;
    };
  }

  private Grammar anyOf(JsonNode alternatives, String path) {
    if (!alternatives.isArray() || alternatives.isEmpty()) {
      throw invalid(path, "'anyOf' must be a non-empty list of schemas");
    }
    List<Grammar> grammars = new ArrayList<>();
    for (int i = 0; i < alternatives.size(); i++) {
      grammars.add(value(alternatives.get(i), path + "/" + i));
    }
    return choice(grammars);
  }

  private Grammar reference(JsonNode ref, String path) {
    if (!ref.isString()) {
      throw invalid(path + "/$ref", "'$ref' must be a string");
    }
    String target = ref.stringValue();
    if (!target.startsWith("#")) {
      throw unsupported("'$ref' to another document ('" + target + "')", path);
    }
    Grammar known = referenced.get(target);
    if (known != null) {
      return known;
    }
    if (expanding.contains(target)) {
      throw unsupported("a recursive '$ref' ('" + target + "')", path);
    }
    JsonNode resolved = target.length() == 1 ? root : root.at(target.substring(1));
    if (resolved.isMissingNode()) {
      throw invalid(path + "/$ref", "'$ref' '" + target + "' does not resolve");
    }
    expanding.push(target);
    try {
      Grammar grammar = value(resolved, target);
      referenced.put(target, grammar);
      return grammar;
    } finally {
      expanding.pop();
    }
  }

  private Grammar string(Map<String, JsonNode> keywords, String path) {
    JsonNode format = keywords.get("format");
    if (format != null) {
      for (String length : List.of("minLength", "maxLength")) {
        if (keywords.containsKey(length)) {
          throw unsupported("'" + length + "' alongside 'format'", path);
        }
      }
      return JsonText.quoted(format(format, path));
    }
    int min = count(keywords, "minLength", 0, path);
    int max = count(keywords, "maxLength", Grammar.UNBOUNDED, path);
    checkBounds(min, max, "minLength", "maxLength", path);
    return JsonText.string(min, max);
  }

  private Grammar format(JsonNode format, String path) {
    if (!format.isString()) {
      throw invalid(path + "/format", "'format' must be a string");
    }
    return switch (format.stringValue()) {
      case "date" -> JsonText.date();
      case "time" -> JsonText.time();
      case "date-time" -> JsonText.dateTime();
      case "uuid" -> JsonText.uuid();
      default -> throw unsupported("'format' '" + format.stringValue() + "'", path);
    };
  }

  private Grammar array(Map<String, JsonNode> keywords, String path) {
    int min = count(keywords, "minItems", 0, path);
    int max = count(keywords, "maxItems", Grammar.UNBOUNDED, path);
    checkBounds(min, max, "minItems", "maxItems", path);
    JsonNode items = keywords.get("items");
    if (items != null && items.isArray()) {
      throw unsupported("'items' as a list", path);
    }
    Grammar item = items == null ? JsonText.anyValue() : value(items, path + "/items");
    return JsonText.array(item, min, max);
  }

  /** A non-negative integer keyword, or {@code absent} when the schema leaves it out. */
  int count(Map<String, JsonNode> keywords, String keyword, int absent, String path) {
    JsonNode node = keywords.get(keyword);
    if (node == null) {
      return absent;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
      throw invalid(path + "/" + keyword, "'" + keyword + "' must be a non-negative integer");
    }
    return node.intValue();
  }

  private void checkBounds(int min, int max, String minKeyword, String maxKeyword, String path) {
    if (max != Grammar.UNBOUNDED && max < min) {
      throw invalid(path, "'" + maxKeyword + "' is less than '" + minKeyword + "'");
    }
  }

  /** Refuses the keywords next to {@code keyword} that it cannot be combined with here. */
  private void onlyAlongside(Map<String, JsonNode> keywords, String path, String keyword, Set<String> allowed) {
    for (String other : keywords.keySet()) {
      if (!other.equals(keyword) && !allowed.contains(other)) {
        throw unsupported("'" + other + "' alongside '" + keyword + "'", path);
      }
    }
  }

  /** The grammar of a sub-schema at {@code path}, for {@link ObjectGrammar}. */
  Grammar subschema(JsonNode schema, String path) {
    return value(schema, path);
  }

  InvalidRequestException unsupported(String what, String path) {
    return new InvalidRequestException(
        "Unsupported value: '" + param + "' uses " + what + " at '" + path
            + "', which constrained decoding does not support.",
        param, "unsupported_value");
  }

  InvalidRequestException invalid(String path, String why) {
    return new InvalidRequestException(
        "Invalid value: '" + param + "' is not a valid JSON schema at '" + path + "': " + why + ".",
        param, "invalid_value");
  }

  /** A JSON pointer segment for a property name. */
  static String pointerSegment(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  /** A property name as a JSON string literal. */
  static Grammar key(String name) {
    return literal(JsonNodeFactory.instance.stringNode(name).toString());
  }
}
