/**
 * Tool calls in a model's output: one {@link dev.modelhost.engine.internal.tools.ToolFormat} per
 * model family, which also writes the grammar of forced calls in its form, the choice of one for a
 * model ({@link dev.modelhost.engine.internal.tools.ToolFormats}), and the stream that splits an answer into content and OpenAI tool-call fragments as it is
 * generated ({@link dev.modelhost.engine.internal.tools.ToolCallStream}).
 */
@NullMarked
package dev.modelhost.engine.internal.tools;

import org.jspecify.annotations.NullMarked;
