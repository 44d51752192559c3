package dev.modelhost.engine.internal.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.modelhost.exception.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonSchemaGrammarTest {

  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final String PARAM = "response_format.json_schema.schema";

  private static boolean accepts(ByteAutomaton automaton, String text) {
    int state = automaton.walk(automaton.start(), text.getBytes(StandardCharsets.UTF_8));
    return state != ByteAutomaton.DEAD && automaton.accepting(state);
  }

  private static ByteAutomaton compile(String schema) {
    return ByteAutomaton.compile(JsonSchemaGrammar.schema(MAPPER.readTree(schema), PARAM));
  }

  private static InvalidRequestException refusal(String schema) {
    return catchThrowableOfType(
        InvalidRequestException.class, () -> JsonSchemaGrammar.schema(MAPPER.readTree(schema), PARAM));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"type\":\"object\",\"properties\":{\"zip\":{\"type\":\"string\",\"pattern\":\"^[0-9]{5}$\"}}} | pattern | #/properties/zip",
        "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]} | oneOf | #",
        "{\"allOf\":[{\"type\":\"string\"}]} | allOf | #",
        "{\"not\":{\"type\":\"string\"}} | not | #",
        "{\"if\":{\"type\":\"string\"},\"then\":{}} | if | #",
        "{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"multipleOf\":2}} | multipleOf | #/items",
        "{\"type\":\"number\",\"multipleOf\":3} | multipleOf | #",
        "{\"type\":\"number\",\"multipleOf\":3} | multipleOf | #",
        "{\"type\":\"array\",\"prefixItems\":[{}]} | prefixItems | #",
        "{\"type\":\"array\",\"uniqueItems\":true} | uniqueItems | #",
        "{\"type\":\"object\",\"minProperties\":1} | minProperties | #",
        "{\"type\":\"object\",\"patternProperties\":{\"^a\":{}}} | patternProperties | #",
        "{\"type\":\"string\",\"format\":\"email\"} | email | #",
        "{\"type\":\"string\",\"nullable\":true} | nullable | #",
        "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"string\",\"pattern\":\"x\"}]} | pattern | #/anyOf/1",
        "{\"$defs\":{\"a\":{\"type\":\"string\",\"pattern\":\"x\"}},\"$ref\":\"#/$defs/a\"} | pattern | #/$defs/a",
        "{\"type\":\"object\",\"properties\":{\"a/b\":{\"type\":\"integer\",\"multipleOf\":1}}} | multipleOf | #/properties/a~1b",
        "{\"type\":\"object\",\"properties\":{\"a\":{}},\"additionalProperties\":{\"type\":\"string\"}} | additionalProperties | #",
        "{\"type\":\"array\",\"items\":[{\"type\":\"string\"}]} | items | #",
        "{\"$ref\":\"https://example.com/schema.json\"} | $ref | #",
      })
  void unsupportedKeywordsAreRefusedNamingKeywordAndPlace(String schema, String keyword, String path) {
    InvalidRequestException e = refusal(schema);
    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo("unsupported_value");
    assertThat(e.param()).isEqualTo(PARAM);
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.getMessage()).contains("'" + PARAM + "'", keyword, "at '" + path + "'");
  }

  @Test
  void messageSaysWhatIsUnsupportedAndWhere() {
    assertThat(refusal("{\"type\":\"object\",\"properties\":{\"zip\":{\"type\":\"string\",\"pattern\":\"x\"}}}"))
        .hasMessage("Unsupported value: 'response_format.json_schema.schema' uses 'pattern' at '#/properties/zip',"
            + " which constrained decoding does not support.");
  }

  @Test
  void recursiveReferenceIsRefused() {
    InvalidRequestException e = refusal("""
        {"$defs": {"node": {"type": "object", "properties": {"value": {"type": "integer"},
         "next": {"$ref": "#/$defs/node"}}}}, "$ref": "#/$defs/node"}""");
    assertThat(e.code()).isEqualTo("unsupported_value");
    assertThat(e.getMessage()).contains("recursive '$ref'", "#/$defs/node");
    assertThat(refusal("{\"type\":\"object\",\"properties\":{\"self\":{\"$ref\":\"#\"}}}").getMessage())
        .contains("recursive '$ref'");
  }

  @Test
  void referenceUsedTwiceWithoutRecursionIsFine() {
    ByteAutomaton automaton = compile("""
        {"$defs": {"n": {"type": "integer"}}, "type": "array",
         "items": {"type": "array", "items": {"$ref": "#/$defs/n"}}, "maxItems": 2}""");
    assertThat(accepts(automaton, "[[1,2],[3]]")).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"type\":5} | #/type",
        "{\"type\":\"text\"} | #/type",
        "{\"type\":\"object\",\"required\":\"a\"} | #/required",
        "{\"$ref\":\"#/$defs/missing\"} | #/$ref",
        "{\"type\":\"string\",\"maxLength\":-1} | #/maxLength",
        "{\"type\":\"array\",\"minItems\":3,\"maxItems\":2} | #",
        "{\"enum\":[]} | #/enum",
        "{\"type\":\"integer\",\"enum\":[\"a\"]} | #",
        "{\"type\":\"object\",\"properties\":[]} | #/properties",
        "{\"type\":\"object\",\"required\":[\"a\"],\"additionalProperties\":false} | #/required",
        "[1] | #",
      })
  void malformedSchemasAreInvalid(String schema, String path) {
    InvalidRequestException e = refusal(schema);
    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo("invalid_value");
    assertThat(e.param()).isEqualTo(PARAM);
    assertThat(e.getMessage()).contains("at '" + path + "'");
  }

  @Test
  void annotationsAreIgnored() {
    ByteAutomaton automaton = compile("""
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "x", "title": "T",
         "description": "D", "$comment": "C", "examples": [true], "default": false, "deprecated": false,
         "readOnly": false, "writeOnly": false, "type": "boolean"}""");
    assertThat(accepts(automaton, "true")).isTrue();
    assertThat(accepts(automaton, " false")).isTrue();
  }

  @Test
  void openApiIntegerFormatsBoundTheValue() {
    ByteAutomaton int32 = compile("{\"type\":\"integer\",\"format\":\"int32\"}");
    assertThat(accepts(int32, "2147483647")).isTrue();
    assertThat(accepts(int32, "-2147483648")).isTrue();
    assertThat(accepts(int32, "2147483648")).isFalse();
    assertThat(accepts(int32, "-2147483649")).isFalse();
    ByteAutomaton dateAlone = compile("{\"format\":\"date\"}");
    assertThat(accepts(dateAlone, "\"2024-02-29\"")).isTrue();
  }

  @Test
  void outputShapeAllowsOnlyTheDocumentedWhitespace() {
    ByteAutomaton automaton = compile("{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}");
    assertThat(accepts(automaton, "[1,2]")).isTrue();
    assertThat(accepts(automaton, " [ 1 , 2 ]")).isTrue();
    assertThat(accepts(automaton, "[\n  1,\n  2\n]")).isFalse();
    assertThat(accepts(automaton, "[  1]")).isFalse();
    assertThat(accepts(automaton, "[\t1]")).isFalse();
    assertThat(accepts(automaton, "  [1]")).isFalse();
    assertThat(accepts(automaton, "[1] ")).isFalse();
  }

  @Test
  void stringLengthCountsCharactersAndEscapes() {
    ByteAutomaton automaton = compile("{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}");
    assertThat(accepts(automaton, "\"é☃\"")).isTrue();
    assertThat(accepts(automaton, "\"\\n\\u00e9𝄞\"")).isTrue();
    assertThat(accepts(automaton, "\"\\ud83d\\ude00\"")).isFalse();
    assertThat(accepts(automaton, "\"abcd\"")).isFalse();
  }

  @Test
  void numbersFollowTheDocumentedShape() {
    ByteAutomaton number = compile("{\"type\":\"number\"}");
    for (String ok : List.of("0", "-0", "12.5", "1e5", "-3.25E-07", "9999999999999999")) {
      assertThat(accepts(number, ok)).as(ok).isTrue();
    }
    for (String no : List.of("01", "+1", "1.", "99999999999999999", "1e100", "1.12345678901234567")) {
      assertThat(accepts(number, no)).as(no).isFalse();
    }
    assertThat(accepts(compile("{\"type\":\"integer\"}"), "1.0")).isFalse();
  }

  @Test
  void datesAreRealCalendarDays() {
    ByteAutomaton date = compile("{\"type\":\"string\",\"format\":\"date\"}");
    assertThat(accepts(date, "\"2024-02-29\"")).isTrue();
    assertThat(accepts(date, "\"2000-02-29\"")).isTrue();
    assertThat(accepts(date, "\"1900-02-29\"")).isFalse();
    assertThat(accepts(date, "\"2023-02-29\"")).isFalse();
    assertThat(accepts(date, "\"2023-06-31\"")).isFalse();
    assertThat(accepts(date, "\"2023-06-00\"")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{}",
    " {\"a\": 1}",
    "{\"name\": \"Ada\", \"tags\": [\"x\", \"y\"], \"ok\": true, \"none\": null, \"n\": -1.5e3}",
    "{ \"nested\": { \"deeper\": [1, {\"k\": \"v\"}] } }",
    "{\"unicode\": \"héllo ☃ \\u00e9 \\\"quoted\\\"\"}",
    "{\"d1\": {\"d2\": {\"d3\": {\"d4\": {\"d5\": {\"d6\": 1}}}}}}",
    "{\"d1\": [[[[[]]]]]}",
  })
  void anyObjectAcceptsTypicalObjects(String text) {
    assertThat(accepts(ByteAutomaton.compile(JsonSchemaGrammar.anyObject()), text)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "[]", "1", "\"s\"", "null", "{} x", "{\"a\":1}}", "{\"a\":}", "{\"a\" 1}", "{a:1}", "{\"a\":1,}",
    "{\"d1\": {\"d2\": {\"d3\": {\"d4\": {\"d5\": {\"d6\": {}}}}}}}",
  })
  void anyObjectRefusesEverythingElse(String text) {
    assertThat(accepts(ByteAutomaton.compile(JsonSchemaGrammar.anyObject()), text)).isFalse();
  }

  @Test
  void hugeLengthIsTooLargeToCompile() {
    JsonNode schema = MAPPER.readTree("{\"type\":\"string\",\"maxLength\":1000000}");
    Grammar grammar = JsonSchemaGrammar.schema(schema, PARAM);
    assertThatThrownBy(() -> ByteAutomaton.compile(grammar)).isInstanceOf(GrammarTooLargeException.class);
  }

  @Test
  void referencesUsedManyTimesAreBuiltOnceAndRefusedWhenTooLarge() {
    // Each definition uses the next one twice: 2^40 copies if expanded, refused as too large.
    StringBuilder defs = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      defs.append(String.format(
          "\"d%d\": {\"type\": \"array\", \"items\": {\"anyOf\": [{\"$ref\": \"#/$defs/d%d\"}, {\"$ref\": \"#/$defs/d%d\"}]}},",
          i, i + 1, i + 1));
    }
    defs.append("\"d40\": {\"type\": \"integer\"}");
    JsonNode schema = MAPPER.readTree("{\"$defs\": {" + defs + "}, \"$ref\": \"#/$defs/d0\"}");
    Grammar grammar = JsonSchemaGrammar.schema(schema, PARAM);
    assertThatThrownBy(() -> ByteAutomaton.compile(grammar)).isInstanceOf(GrammarTooLargeException.class);
  }

  @Test
  void genericValuesStaySmall() {
    // Lists hold one copy of their item, so each generic level about doubles rather than
    // quadruples: about 19,000 NFA states for any object, 38,000 for any value.
    assertThat(Nfa.of(JsonSchemaGrammar.anyObject()).size()).isLessThan(25_000);
    assertThat(Nfa.of(JsonText.anyValue()).size()).isLessThan(50_000);
  }
}
