package dev.modelhost.engine.internal.tools;

import dev.modelhost.api.Tool;
import dev.modelhost.engine.internal.grammar.Grammar;
import dev.modelhost.exception.InvalidRequestException;
import java.util.List;

/**
 * One model family's way of writing tool calls in its output. Formats are named as vLLM's
 * {@code --tool-call-parser} names them. A format finds where a tool-call section begins and reads
 * a section ({@link #read}); {@link ToolCallStream} does the rest for every format: content around
 * sections, holding back what may be a marker, streaming each call as OpenAI streams it.
 */
public interface ToolFormat {

  /** The format's name, as in vLLM's {@code --tool-call-parser}. */
  String name();

  /**
   * Every marker the format writes that a tokenizer may hold as one special token; those must
   * reach the parser as text.
   */
  List<String> markers();

  /** The strings that open a tool-call section wherever they appear. */
  List<String> openers();

  /**
   * Where a section begins in {@code text} at or after {@code from}, or -1. The default finds the
   * first opener.
   *
   * @param outputStart whether nothing was produced before {@code from} but blank text
   */
  default int sectionStart(CharSequence text, int from, boolean outputStart) {
    int best = -1;
    for (String opener : openers()) {
      int at = TextCursor.indexOf(text, opener, from);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
      }
    }
    return best;
  }

  /**
   * Reads the section that begins at the cursor, filling {@code section} as it goes, and returns
   * normally with the cursor just past the section when it is whole.
   *
   * @param tools the request's tools, for formats that type arguments by the function's schema
   * @throws TextCursor.Signal {@link TextCursor#INCOMPLETE} while the section may still go on,
   *     {@link TextCursor#MISMATCH} when the text is not a section of this format
   */
  void read(TextCursor in, Section section, List<Tool> tools);

  /**
   * The grammar of forced calls as the model family writes them (markers and spacing as in its
   * chat template), which {@link #read} reads back into exactly those calls: one call to one of
   * {@code functions}, or one or more when {@code parallel}, with arguments valid for the
   * function's schema. It begins with an optional single space, as a SentencePiece model's output
   * may.
   *
   * @param functions the functions a call may name, at least one
   * @throws InvalidRequestException naming a function's {@link ForcedFunction#param} when its schema
   *     cannot be enforced in this format
   */
  Grammar forcedCalls(List<ForcedFunction> functions, boolean parallel);

  /** The content and calls of a whole answer, as {@link ToolCallStream} streams them. */
  default ToolCallStream.Parsed parse(String text, List<Tool> tools) {
    return ToolCallStream.parse(this, tools, text);
  }
}
