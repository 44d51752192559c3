package dev.modelhost.engine.internal.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Property test: random texts of each schema's grammar all validate against the schema with an
 * independent JSON schema validator, and texts that break the schema are not accepted.
 */
class JsonSchemaGrammarWalkTest {

  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final int WALKS_PER_SCHEMA = 300;
  private static final int MAX_BUDGET = 400;

  record Case(String name, String schema, List<String> invalid) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("string", """
            {"type": "string"}""", List.of("5", "\"a", "null", "\"a\"b\"", "\"\\x\"")),
        new Case("bounded string", """
            {"type": "string", "minLength": 2, "maxLength": 5}""",
            List.of("\"a\"", "\"abcdef\"", "\"\\n\\n\\n\\n\\n\\n\"", "\"\\u00e9\"")),
        new Case("integer", """
            {"type": "integer", "title": "count", "description": "How many"}""", List.of("1.5", "\"1\"", "01", "-")),
        new Case("number", """
            {"type": "number"}""", List.of("\"x\"", "1.", ".5", "1e", "true")),
        new Case("bounded integer", """
            {"type": "integer", "minimum": -12, "exclusiveMaximum": 300}""", List.of("-13", "300", "1000", "1.5")),
        new Case("int32 and safe-integer bounds", """
            {"type": "object", "properties": {
              "i": {"type": "integer", "minimum": -2147483648, "maximum": 2147483647},
              "s": {"type": "integer", "minimum": -9007199254740991, "maximum": 9007199254740991}},
             "required": ["i", "s"], "additionalProperties": false}""",
            List.of("{\"i\":2147483648,\"s\":0}", "{\"i\":0,\"s\":90071992547409910}")),
        new Case("OpenAPI numeric formats", """
            {"type": "object", "properties": {"i": {"type": "integer", "format": "int32"},
              "l": {"type": "integer", "format": "int64"}, "d": {"type": "number", "format": "double"}},
             "required": ["i", "l", "d"], "additionalProperties": false}""",
            List.of("{\"i\":1.5,\"l\":1,\"d\":1}", "{\"i\":1,\"l\":1}")),
        new Case("bounded number", """
            {"type": "number", "exclusiveMinimum": 0.5, "maximum": 7.5}""", List.of("0.5", "0", "8", "7.9", "-1")),
        new Case("nullable bounded string", """
            {"type": ["string", "null"], "maxLength": 3}""", List.of("true", "\"abcd\"", "nul")),
        new Case("enum with escapes and non-ASCII", """
            {"enum": ["a\\"b", "é☃𝄞", "line\\nbreak", 1, null, {"k": [1, 2]}]}""",
            List.of("\"x\"", "2", "\"a\"", "{\"k\":[1]}")),
        new Case("const with type", """
            {"type": "string", "const": "fixed"}""", List.of("\"other\"", "\"fixe\"")),
        new Case("required and optional properties", """
            {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
             "email": {"type": "string"}}, "required": ["name"], "additionalProperties": false}""",
            List.of("{}", "{\"name\":\"a\",\"x\":1}", "{\"name\":5}", "{\"age\":1}")),
        new Case("all optional properties", """
            {"type": "object", "properties": {"a": {"type": "boolean"}, "b": {"type": "null"},
             "c": {"type": "integer"}}, "additionalProperties": false}""",
            List.of("{\"a\":true,}", "{,\"b\":null}", "{\"d\":1}", "{\"a\":true \"b\":null}", "[]")),
        new Case("nested objects in arrays", """
            {"type": "array", "minItems": 1, "maxItems": 4, "items": {"type": "object",
             "properties": {"id": {"type": "integer"}, "tags": {"type": "array", "maxItems": 3,
             "items": {"type": "string", "maxLength": 4}}}, "required": ["id", "tags"]}}""",
            List.of("[]", "[{\"id\":1,\"tags\":[]},{\"id\":1,\"tags\":[]},{\"id\":1,\"tags\":[]},{\"id\":1,\"tags\":[]},{\"id\":1,\"tags\":[]}]",
                "[{\"id\":1}]", "[{\"id\":1,\"tags\":[\"a\",\"b\",\"c\",\"d\"]}]", "[{\"id\":1,\"tags\":[\"abcde\"]}]")),
        new Case("anyOf of objects", """
            {"anyOf": [
              {"type": "object", "properties": {"kind": {"const": "circle"}, "radius": {"type": "number"}},
               "required": ["kind", "radius"], "additionalProperties": false},
              {"type": "object", "properties": {"kind": {"const": "square"}, "side": {"type": "number"}},
               "required": ["kind", "side"], "additionalProperties": false}]}""",
            List.of("{\"kind\":\"circle\",\"side\":1}", "{\"kind\":\"square\"}", "{}")),
        new Case("$ref to $defs", """
            {"$defs": {"point": {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
             "required": ["x", "y"], "additionalProperties": false}},
             "type": "object", "properties": {"from": {"$ref": "#/$defs/point"}, "to": {"$ref": "#/$defs/point"}},
             "required": ["from", "to"], "additionalProperties": false}""",
            List.of("{\"from\":{\"x\":1},\"to\":{\"x\":1,\"y\":2}}", "{\"from\":{\"x\":1,\"y\":2}}")),
        new Case("$ref to definitions", """
            {"definitions": {"color": {"enum": ["red", "green"]}},
             "type": "array", "items": {"$ref": "#/definitions/color"}, "maxItems": 3}""",
            List.of("[\"blue\"]", "[\"red\",\"red\",\"red\",\"red\"]")),
        new Case("formats", """
            {"type": "object", "properties": {"d": {"type": "string", "format": "date"},
             "t": {"type": "string", "format": "time"}, "dt": {"type": "string", "format": "date-time"},
             "u": {"type": "string", "format": "uuid"}}, "required": ["d", "t", "dt", "u"]}""",
            List.of(
                "{\"d\":\"2023-02-29\",\"t\":\"10:00:00Z\",\"dt\":\"2024-01-01T00:00:00Z\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\"}",
                "{\"d\":\"2024-13-01\",\"t\":\"10:00:00Z\",\"dt\":\"2024-01-01T00:00:00Z\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\"}",
                "{\"d\":\"2024-01-01\",\"t\":\"24:00:00Z\",\"dt\":\"2024-01-01T00:00:00Z\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\"}",
                "{\"d\":\"2024-01-01\",\"t\":\"10:00:00Z\",\"dt\":\"2024-04-31T00:00:00Z\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\"}",
                "{\"d\":\"2024-01-01\",\"t\":\"10:00:00Z\",\"dt\":\"2024-01-01T00:00:00Z\",\"u\":\"123e4567-e89b-12d3-a456-42661417400\"}")),
        new Case("map of integers", """
            {"type": "object", "additionalProperties": {"type": "integer"}}""",
            List.of("{\"a\":\"x\"}", "{\"a\":1.5}", "[]")),
        new Case("free-form object", """
            {"type": "object"}""", List.of("[]", "1", "\"{}\"")),
        new Case("anything", """
            true""", List.of()),
        new Case("array without items", """
            {"type": "array", "maxItems": 2}""", List.of("[1,2,3]", "{}")),
        new Case("free-form properties", """
            {"type": "object", "properties": {"meta": {}, "list": {"type": "array", "items": true}},
             "required": ["meta"]}""", List.of("{}", "{\"list\":[]}")),
        new Case("closed empty object", """
            {"type": "object", "additionalProperties": false}""", List.of("{\"a\":1}", "[]")),
        new Case("implied object type", """
            {"properties": {"q": {"type": "string"}}, "required": ["q"]}""", List.of("{}", "{\"q\":1}")),
        new Case("tool parameters", """
            {"type": "object", "properties": {
              "location": {"type": "string", "description": "City and country"},
              "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
              "days": {"type": ["integer", "null"], "default": null}},
             "required": ["location", "unit"], "additionalProperties": false}""",
            List.of("{\"location\":\"Paris\"}", "{\"location\":\"Paris\",\"unit\":\"kelvin\"}")),
        new Case("exact item count", """
            {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}""",
            List.of("[1]", "[1,2,3]", "[1,\"2\"]")));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void everyRandomTextValidates(Case c) {
    JsonNode schemaNode = MAPPER.readTree(c.schema());
    Schema validator = SchemaValidators.of(schemaNode);
    ByteAutomaton automaton = ByteAutomaton.compile(JsonSchemaGrammar.schema(schemaNode, "response_format.json_schema.schema"));
    RandomTexts texts = new RandomTexts(automaton, c.name().hashCode());
    Random budgets = new Random(c.name().hashCode());
    for (int i = 0; i < WALKS_PER_SCHEMA; i++) {
      String text = texts.next(budgets.nextInt(MAX_BUDGET));
      JsonNode parsed = MAPPER.readTree(text);
      assertThat(validator.validate(parsed)).as("%s: %s", c.name(), text).isEmpty();
    }
    // The automaton is built lazily; the walks reach at most about 1,700 states per schema.
    assertThat(automaton.stateCount()).isLessThan(5_000);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void textsThatBreakTheSchemaAreNotAccepted(Case c) {
    JsonNode schemaNode = MAPPER.readTree(c.schema());
    Schema validator = SchemaValidators.of(schemaNode);
    ByteAutomaton automaton = ByteAutomaton.compile(JsonSchemaGrammar.schema(schemaNode, "response_format.json_schema.schema"));
    for (String text : c.invalid()) {
      assertThat(isValid(validator, text)).as("%s breaks the schema", text).isFalse();
      int state = automaton.walk(automaton.start(), text.getBytes(StandardCharsets.UTF_8));
      assertThat(state != ByteAutomaton.DEAD && automaton.accepting(state)).as("%s: %s", c.name(), text).isFalse();
    }
  }

  private static boolean isValid(Schema validator, String text) {
    try {
      return validator.validate(MAPPER.readTree(text)).isEmpty();
    } catch (JacksonException e) {
      return false;
    }
  }
}
