/** Mapping between LangChain4j's chat types and Modelhost's OpenAI-shaped records; not API. */
@NullMarked
package dev.modelhost.langchain4j.internal;

import org.jspecify.annotations.NullMarked;
