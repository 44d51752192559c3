/**
 * The one unchecked exception hierarchy of Modelhost. Every exception carries the HTTP status and
 * the OpenAI error fields it is answered with; {@link dev.modelhost.api.ErrorMapper} turns
 * any throwable into that answer.
 */
@NullMarked
package dev.modelhost.exception;

import org.jspecify.annotations.NullMarked;
