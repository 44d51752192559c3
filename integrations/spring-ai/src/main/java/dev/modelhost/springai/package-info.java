/**
 * A Spring AI {@link org.springframework.ai.chat.model.ChatModel} answered by Modelhost services in
 * the same process: {@link dev.modelhost.springai.ModelhostChatModel} and its options,
 * {@link dev.modelhost.springai.ModelhostChatOptions}.
 */
@NullMarked
package dev.modelhost.springai;

import org.jspecify.annotations.NullMarked;
