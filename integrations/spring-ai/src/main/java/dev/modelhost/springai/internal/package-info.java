/** Mapping between Spring AI's chat types and Modelhost's OpenAI-shaped records; not API. */
@NullMarked
package dev.modelhost.springai.internal;

import org.jspecify.annotations.NullMarked;
