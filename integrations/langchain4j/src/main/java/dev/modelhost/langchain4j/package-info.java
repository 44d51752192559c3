/**
 * LangChain4j chat models answered by Modelhost services in the same process:
 * {@link dev.modelhost.langchain4j.ModelhostChatModel} and
 * {@link dev.modelhost.langchain4j.ModelhostStreamingChatModel}.
 */
@NullMarked
package dev.modelhost.langchain4j;

import org.jspecify.annotations.NullMarked;
