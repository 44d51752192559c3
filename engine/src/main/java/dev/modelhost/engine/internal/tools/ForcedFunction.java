package dev.modelhost.engine.internal.tools;

import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.optional;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;

import dev.modelhost.engine.internal.grammar.Grammar;
import dev.modelhost.engine.internal.grammar.JsonSchemaGrammar;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A function that a forced call ({@code tool_choice} {@code required} or a named function) may
 * name.
 *
 * @param parameters the function's parameters schema; null when it takes none
 * @param param the request parameter the schema came from ({@code tools[i].function.parameters}), named in errors
 */
public record ForcedFunction(String name, @Nullable JsonNode parameters, String param) {

  /** The arguments as a JSON object valid for the schema ({@code {}} without one). */
  Grammar jsonArguments() {
    return parameters == null ? sequence(optional(literal(" ")), literal("{}")) : JsonSchemaGrammar.schema(parameters, param);
  }
}
