package dev.modelhost.engine.internal;

import static dev.modelhost.engine.internal.grammar.Grammar.choice;
import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.optional;
import static dev.modelhost.engine.internal.grammar.Grammar.repeat;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;

import dev.modelhost.api.Json;
import dev.modelhost.engine.internal.grammar.Grammar;
import java.util.List;

/** Forced calls in the Hermes form: {@code <tool_call>\n{"name": ..., "arguments": ...}\n</tool_call>}. */
final class HermesCalls {

  private HermesCalls() {}

  static Grammar call(String name, Grammar arguments) {
    return sequence(literal("<tool_call>\n{\"name\": " + Json.mapper().writeValueAsString(name) + ", \"arguments\": "), arguments,
        literal("}\n</tool_call>"));
  }

  static Grammar calls(List<Grammar> functions, boolean parallel) {
    Grammar one = choice(functions);
    return sequence(optional(literal(" ")), one, parallel ? repeat(sequence(literal("\n"), one), 0, Grammar.UNBOUNDED)
        : Grammar.empty());
  }
}
