package dev.modelhost.engine.internal.tools;

import static dev.modelhost.engine.internal.grammar.Grammar.choice;
import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.optional;
import static dev.modelhost.engine.internal.grammar.Grammar.separated;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;

import dev.modelhost.api.Json;
import dev.modelhost.engine.internal.grammar.Grammar;
import java.util.List;
import java.util.function.Function;

/** The parts that the formats' grammars of forced calls share. */
final class ForcedCalls {

  private ForcedCalls() {}

  /**
   * An optional space (a SentencePiece model's first piece may carry one), {@code open}, one call
   * (or, when {@code parallel}, one or more separated by {@code separator}) to any of the
   * functions, then {@code close}.
   */
  static Grammar calls(Grammar open, List<ForcedFunction> functions, Function<ForcedFunction, Grammar> call,
      String separator, Grammar close, boolean parallel) {
    Grammar one = choice(functions.stream().map(call).toList());
    return sequence(optional(literal(" ")), open, separated(one, literal(separator), 1, parallel ? Grammar.UNBOUNDED : 1),
        close);
  }

  /** {@code {"name": "NAME", "KEY": ARGUMENTS}}, the call object of the JSON formats. */
  static Grammar jsonObject(ForcedFunction function, String argumentsKey) {
    return sequence(literal("{\"name\": " + quoted(function.name()) + ", " + quoted(argumentsKey) + ": "),
        function.jsonArguments(), literal("}"));
  }

  static String quoted(String text) {
    return Json.mapper().writeValueAsString(text);
  }
}
