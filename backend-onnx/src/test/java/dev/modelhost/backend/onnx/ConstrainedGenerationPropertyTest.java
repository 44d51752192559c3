package dev.modelhost.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.Json;
import dev.modelhost.api.ResponseFormat;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.internal.grammar.ByteAutomaton;
import dev.modelhost.engine.internal.grammar.JsonSchemaGrammar;
import dev.modelhost.spi.ModelSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Property test of constrained decoding on real models: thousands of generations at temperature
 * 1.5 with random seeds, batched by {@code n} and concurrent requests, from the default model and
 * its random twin, over schemas, {@code json_object} and forced tool calls. Whatever the sampler
 * draws, every finished answer parses and validates with an independent JSON schema validator,
 * and every answer cut off by the token limit is still the start of a valid one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConstrainedGenerationPropertyTest {

  private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
  private static final Map<JsonNode, Schema> VALIDATOR_CACHE = new ConcurrentHashMap<>();
  private static final int REQUESTS_PER_KIND = 10;
  private static final int CHOICES = 8;
  private static final int CONCURRENT_REQUESTS = 8;
  private static final int MAX_TOKENS = 160;
  private static final double LEAST_COMPLETED = 0.95;

  /** What a request asks for: a response format, or forced calls to some of {@link #TOOLS}. */
  record Kind(String name, @Nullable ResponseFormat format, List<String> tools, @Nullable ToolChoice choice) {
    /** Whether every text of the grammar is short: any JSON object may go on without end. */
    boolean bounded() {
      return format == null || format.jsonSchema() != null;
    }
  }

  private static final JsonNode ANY_OBJECT = Json.mapper().readTree("{\"type\": \"object\"}");
  private static final Map<String, JsonNode> TOOLS = tools();
  private static final List<Kind> KINDS = kinds();

  private ModelHost host;

  @BeforeAll
  void deploy() {
    host = ModelHost.builder().build();
    for (DefaultModel model : DefaultModel.values()) {
      host.deploy(ServiceSpec.builder("test", name(model)).backend(OnnxBackendProvider.NAME)
          .source(new ModelSource(model.directory().toString(), Map.of("threads", "2", "max-batch", "64"))).build());
    }
    for (DefaultModel model : DefaultModel.values()) {
      host.awaitRunning(path(model), Duration.ofMinutes(2));
    }
  }

  @AfterAll
  void close() {
    host.close();
  }

  private static String name(DefaultModel model) {
    return model.name().toLowerCase(Locale.ROOT);
  }

  private static String path(DefaultModel model) {
    return "test/" + name(model);
  }

  private static Map<String, JsonNode> tools() {
    Map<String, JsonNode> tools = new LinkedHashMap<>();
    // Small: the chat template lists the tools in the prompt, within the default model's 512 tokens.
    tools.put("get_weather", Json.mapper().readTree("""
        {"type": "object", "properties": {"city": {"enum": ["Paris", "Zürich"]}, "days": {"type": "integer", "maximum": 9}},
         "required": ["city"]}"""));
    tools.put("set_alarm", Json.mapper().readTree("""
        {"type": "object", "properties": {"at": {"type": "string", "format": "time"}}, "required": ["at"]}"""));
    tools.put("lookup", Json.mapper().readTree("""
        {"type": "object", "properties": {"q": {"type": ["string", "null"], "maxLength": 8}}, "required": ["q"]}"""));
    return tools;
  }

  private static List<Kind> kinds() {
    List<Kind> kinds = new ArrayList<>();
    kinds.add(new Kind("json_object", ResponseFormat.JSON_OBJECT, List.of(), null));
    Map<String, String> schemas = new LinkedHashMap<>();
    schemas.put("enum with escapes and non-ASCII", """
        {"type": "object", "properties": {"pick": {"enum": ["a\\"b", "é☃𝄞", "line\\nbreak", 1, null, {"k": [1, 2]}]}},
         "required": ["pick"], "additionalProperties": false}""");
    schemas.put("nested objects in arrays", """
        {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "object",
         "properties": {"id": {"type": "integer"}, "tags": {"type": "array", "maxItems": 3,
         "items": {"type": "string", "maxLength": 4}}}, "required": ["id", "tags"], "additionalProperties": false}}""");
    schemas.put("optional properties", """
        {"type": "object", "properties": {"name": {"type": "string", "maxLength": 8}, "age": {"type": "integer"},
         "email": {"type": "string", "maxLength": 12}}, "required": ["name"], "additionalProperties": false}""");
    schemas.put("anyOf", """
        {"anyOf": [
          {"type": "object", "properties": {"kind": {"const": "circle"}, "radius": {"type": "number"}},
           "required": ["kind", "radius"], "additionalProperties": false},
          {"type": "object", "properties": {"kind": {"const": "square"}, "side": {"type": "number"}},
           "required": ["kind", "side"], "additionalProperties": false}]}""");
    schemas.put("$ref to $defs", """
        {"$defs": {"point": {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
         "required": ["x", "y"], "additionalProperties": false}},
         "type": "object", "properties": {"from": {"$ref": "#/$defs/point"}, "to": {"$ref": "#/$defs/point"}},
         "required": ["from", "to"], "additionalProperties": false}""");
    schemas.put("bounded strings", """
        {"type": "object", "properties": {"short": {"type": "string", "minLength": 2, "maxLength": 5},
         "maybe": {"type": ["string", "null"], "maxLength": 3}}, "required": ["short", "maybe"], "additionalProperties": false}""");
    schemas.put("scalars", """
        {"type": "object", "properties": {"count": {"type": "integer"}, "score": {"type": "number"},
         "ok": {"type": "boolean"}, "nothing": {"type": "null"}}, "required": ["count", "score", "ok", "nothing"],
         "additionalProperties": false}""");
    schemas.put("formats", """
        {"type": "object", "properties": {"day": {"type": "string", "format": "date"},
         "id": {"type": "string", "format": "uuid"}}, "required": ["day", "id"], "additionalProperties": false}""");
    schemas.put("$ref to definitions and fixed arrays", """
        {"definitions": {"color": {"enum": ["red", "green"]}}, "type": "object", "properties": {
         "colors": {"type": "array", "items": {"$ref": "#/definitions/color"}, "maxItems": 3},
         "pair": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}},
         "required": ["colors", "pair"], "additionalProperties": false}""");
    schemas.put("const and mixed enum", """
        {"type": "object", "properties": {"kind": {"type": "string", "const": "fixed"},
         "level": {"enum": [1, 2.5, "high", true]}, "extra": {"type": ["integer", "null"]}},
         "required": ["kind", "level"], "additionalProperties": false}""");
    schemas.forEach((name, schema) -> kinds.add(new Kind(name,
        new ResponseFormat("json_schema", new ResponseFormat.JsonSchema("answer", null, Json.mapper().readTree(schema), true)),
        List.of(), null)));
    kinds.add(new Kind("tool_choice required", null, List.of("get_weather", "set_alarm"), ToolChoice.REQUIRED));
    kinds.add(new Kind("tool_choice named", null, List.of("get_weather", "lookup"), ToolChoice.function("lookup")));
    return List.copyOf(kinds);
  }

  @ParameterizedTest
  @EnumSource(DefaultModel.class)
  void everyConstrainedAnswerIsValidOrAValidStart(DefaultModel model) throws Exception {
    SplittableRandom seeds = new SplittableRandom(model.ordinal() + 1L);
    List<Kind> asked = new ArrayList<>();
    List<Future<ChatCompletion>> answers = new ArrayList<>();
    long started = System.nanoTime();
    ExecutorService clients = Executors.newFixedThreadPool(CONCURRENT_REQUESTS);
    try {
      for (int i = 0; i < REQUESTS_PER_KIND; i++) {
        for (Kind kind : KINDS) {
          // Calls get what the tools in the prompt leave of the context.
          ChatCompletionRequest request = request(model, kind, seeds.nextLong())
              .maxTokens(kind.tools().isEmpty() ? MAX_TOKENS : null).build();
          asked.add(kind);
          answers.add(clients.submit(() -> host.chat(request)));
        }
      }
      // per kind: completed, cut by length
      Map<Kind, int[]> tally = new LinkedHashMap<>();
      long promptTokens = 0;
      long completionTokens = 0;
      for (int i = 0; i < answers.size(); i++) {
        Kind kind = asked.get(i);
        int[] counts = tally.computeIfAbsent(kind, k -> new int[2]);
        ChatCompletion answer = answers.get(i).get();
        assertThat(answer.choices()).hasSize(CHOICES);
        for (ChatCompletion.Choice choice : answer.choices()) {
          counts[check(kind, choice) ? 0 : 1]++;
        }
        promptTokens += answer.usage().promptTokens();
        completionTokens += answer.usage().completionTokens();
      }
      int completed = tally.values().stream().mapToInt(c -> c[0]).sum();
      int cut = tally.values().stream().mapToInt(c -> c[1]).sum();
      System.out.printf(Locale.ROOT,
          "%s: %d constrained generations in %.1f s (%d prompt, %d completion tokens): %d completed, %d cut by length (%s)%n",
          model, completed + cut, (System.nanoTime() - started) / 1e9, promptTokens, completionTokens, completed, cut,
          tally.entrySet().stream().filter(e -> e.getValue()[1] > 0).map(e -> e.getKey().name() + " " + e.getValue()[1])
              .collect(Collectors.joining(", ")));
      int boundedCompleted = tally.entrySet().stream().filter(e -> e.getKey().bounded()).mapToInt(e -> e.getValue()[0]).sum();
      int boundedCut = tally.entrySet().stream().filter(e -> e.getKey().bounded()).mapToInt(e -> e.getValue()[1]).sum();
      assertThat((double) boundedCompleted / (boundedCompleted + boundedCut))
          .as("share of short grammars' answers completed").isGreaterThanOrEqualTo(LEAST_COMPLETED);
    } finally {
      clients.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(DefaultModel.class)
  void theTokenLimitInsideAConstrainedValueEndsWithLengthAndThePartialText(DefaultModel model) {
    JsonNode longString = Json.mapper().readTree("""
        {"type": "object", "properties": {"story": {"type": "string", "minLength": 150, "maxLength": 200}},
         "required": ["story"], "additionalProperties": false}""");
    ResponseFormat longStory = new ResponseFormat("json_schema", new ResponseFormat.JsonSchema("story", null, longString, true));
    Kind story = new Kind("long string", longStory, List.of(), null);
    Kind call = new Kind("forced call", null, List.of("get_weather", "set_alarm"), ToolChoice.REQUIRED);
    for (Kind kind : List.of(story, call)) {
      ChatCompletion answer = host.chat(request(model, kind, 7).maxTokens(6).build());
      for (ChatCompletion.Choice choice : answer.choices()) {
        assertThat(choice.finishReason()).as(kind.name()).isEqualTo("length");
        assertThat(choice.message().toolCalls()).as(kind.name()).isNullOrEmpty();
        String text = choice.message().content();
        assertThat(text).as(kind.name()).isNotBlank();
        assertThatThrownBy(() -> Json.mapper().readTree(text)).as(text).isInstanceOf(JacksonException.class);
        assertThat(check(kind, choice)).as(text).isFalse();
      }
    }
  }

  private static ChatCompletionRequest.Builder request(DefaultModel model, Kind kind, long seed) {
    ChatCompletionRequest.Builder request = ChatCompletionRequest.builder(path(model))
        .addMessage(ChatMessage.user(kind.tools().isEmpty() ? "Tell me a fortune, as JSON." : "What is the weather in Paris?"))
        .temperature(1.5).seed(seed).n(CHOICES);
    if (kind.format() != null) {
      request.responseFormat(kind.format());
    }
    if (!kind.tools().isEmpty()) {
      request.tools(kind.tools().stream().map(name -> Tool.function(name, null, TOOLS.get(name))).toList())
          .toolChoice(kind.choice()).parallelToolCalls(false);
    }
    return request;
  }

  /**
   * Checks one choice: a finished one must be valid, one cut by the token limit the start of a
   * valid one.
   *
   * @return whether the choice finished
   */
  private static boolean check(Kind kind, ChatCompletion.Choice choice) {
    String text = choice.message().content() == null ? "" : choice.message().content();
    String reason = choice.finishReason();
    if (kind.format() != null) {
      JsonNode schema = schemaOf(kind.format());
      if (reason.equals("length")) {
        ByteAutomaton automaton = ByteAutomaton.compile(
            kind.format().jsonSchema() == null ? JsonSchemaGrammar.anyObject() : JsonSchemaGrammar.schema(schema, "schema"));
        assertThat(automaton.walk(automaton.start(), text.getBytes(StandardCharsets.UTF_8)))
            .as("%s cut at: %s", kind.name(), text).isNotEqualTo(ByteAutomaton.DEAD);
        return false;
      }
      assertThat(reason).as(kind.name()).isEqualTo("stop");
      assertThat(validator(schema).validate(parse(text, kind.name()))).as("%s: %s", kind.name(), text).isEmpty();
      return true;
    }
    if (reason.equals("length")) {
      Map<String, ByteAutomaton> arguments = new LinkedHashMap<>();
      for (String name : callable(kind)) {
        arguments.put(name, ByteAutomaton.compile(JsonSchemaGrammar.schema(TOOLS.get(name), "parameters")));
      }
      assertThat(ForcedCallPrefix.live(text, arguments)).as("%s cut at: %s", kind.name(), text).isTrue();
      return false;
    }
    assertThat(reason).as("%s: %s", kind.name(), text).isEqualTo("tool_calls");
    List<ToolCall> calls = choice.message().toolCalls();
    assertThat(calls).as(kind.name()).hasSize(1);
    ToolCall call = calls.get(0);
    assertThat(call.function().name()).isIn(callable(kind));
    JsonNode arguments = parse(call.function().arguments(), kind.name() + ", finished with " + reason);
    assertThat(validator(TOOLS.get(call.function().name())).validate(arguments))
        .as("%s: %s", call.function().name(), call.function().arguments()).isEmpty();
    return true;
  }

  private static JsonNode parse(String json, String what) {
    try {
      return Json.mapper().readTree(json);
    } catch (JacksonException e) {
      throw new AssertionError(what + ": not JSON: " + json, e);
    }
  }

  private static Schema validator(JsonNode schema) {
    return VALIDATOR_CACHE.computeIfAbsent(schema, VALIDATORS::getSchema);
  }

  private static JsonNode schemaOf(ResponseFormat format) {
    return format.jsonSchema() == null ? ANY_OBJECT : format.jsonSchema().schema();
  }

  private static List<String> callable(Kind kind) {
    return kind.choice().functionName() == null ? kind.tools() : List.of(kind.choice().functionName());
  }
}
