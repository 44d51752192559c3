package dev.modelhost.engine.internal;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.Json;
import dev.modelhost.api.ResponseFormat;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.engine.internal.grammar.Grammar;
import dev.modelhost.engine.internal.grammar.GrammarTooLargeException;
import dev.modelhost.engine.internal.grammar.JsonSchemaGrammar;
import dev.modelhost.engine.internal.grammar.TokenConstraint;
import dev.modelhost.engine.internal.grammar.TokenVocabulary;
import dev.modelhost.engine.internal.tools.ForcedFunction;
import dev.modelhost.engine.internal.tools.ToolFormat;
import dev.modelhost.exception.InvalidRequestException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What a chat request's output is held to by constrained decoding: {@code response_format}
 * ({@code json_object}, {@code json_schema}) and a forced tool call ({@code tool_choice}
 * {@code required} or a named function), as one grammar compiled for the model's vocabulary. Calls
 * are written in the model's own tool-call format, so that they are read as any other answer's.
 * Compiled constraints are kept (least recently used first out), so a schema that requests repeat
 * is compiled, and its token masks are computed, once.
 */
final class OutputConstraints {

  private static final int CACHED = 64;

  private final TokenVocabulary vocabulary;
  private final ToolFormat format;
  private final Map<String, TokenConstraint> cache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, TokenConstraint> eldest) {
      return size() > CACHED;
    }
  };

  OutputConstraints(TokenVocabulary vocabulary, ToolFormat format) {
    this.vocabulary = vocabulary;
    this.format = format;
  }

  /**
   * The constraint of {@code request}, or null when its output is free.
   *
   * @param tools whether the request's tools are offered to the model (tools present, choice not {@code none})
   * @throws InvalidRequestException when a schema uses what constrained decoding cannot enforce
   */
  @Nullable TokenConstraint of(ChatCompletionRequest request, boolean tools) {
    ToolChoice choice = request.toolChoice();
    boolean forced = tools && choice != null && (choice.mode().equals("required") || choice.functionName() != null);
    Grammar answer = responseFormat(request.responseFormat());
    if (!forced && answer == null) {
      return null;
    }
    // A forced call is the whole answer. Otherwise response_format shapes the answer, and where
    // tools are offered the model may call them instead.
    Grammar grammar = forced ? calls(request, choice) : tools ? Grammar.choice(calls(request, null), answer) : answer;
    String key = format.name() + "|" + Json.mapper().writeValueAsString(request.responseFormat()) + "|"
        + (tools ? keyOf(request, choice) : "");
    synchronized (cache) {
      TokenConstraint cached = cache.get(key);
      if (cached != null) {
        return cached;
      }
    }
    TokenConstraint compiled;
    try {
      compiled = TokenConstraint.compile(grammar, vocabulary);
    } catch (GrammarTooLargeException e) {
      throw new InvalidRequestException(e.getMessage(), forced ? "tools" : "response_format", "unsupported_value");
    }
    synchronized (cache) {
      cache.put(key, compiled);
    }
    return compiled;
  }

  private static @Nullable Grammar responseFormat(@Nullable ResponseFormat format) {
    if (format == null || format.type() == null || format.type().equals("text")) {
      return null;
    }
    if (format.type().equals("json_object")) {
      return JsonSchemaGrammar.anyObject();
    }
    ResponseFormat.JsonSchema schema = format.jsonSchema();
    JsonNode node = schema == null ? null : schema.schema();
    if (node == null) {
      // OpenAI's schema may be left out: then any JSON object answers it.
      return JsonSchemaGrammar.anyObject();
    }
    return JsonSchemaGrammar.schema(node, "response_format.json_schema.schema");
  }

  /**
   * One call or more (unless parallel calls are off) to the offered functions, or to the one
   * {@code choice} names, with arguments valid for each function's schema.
   */
  private Grammar calls(ChatCompletionRequest request, @Nullable ToolChoice choice) {
    List<Tool> tools = request.tools();
    List<ForcedFunction> functions = new ArrayList<>();
    for (int i = 0; i < tools.size(); i++) {
      Tool.FunctionDefinition function = tools.get(i).function();
      if (function == null || (choice != null && choice.functionName() != null && !choice.functionName().equals(function.name()))) {
        continue;
      }
      functions.add(new ForcedFunction(function.name(), function.parameters(), "tools[" + i + "].function.parameters"));
    }
    return format.forcedCalls(functions, !Boolean.FALSE.equals(request.parallelToolCalls()));
  }

  private static String keyOf(ChatCompletionRequest request, @Nullable ToolChoice choice) {
    return Json.mapper().writeValueAsString(request.tools()) + "|" + Json.mapper().writeValueAsString(choice) + "|" + request.parallelToolCalls();
  }
}
