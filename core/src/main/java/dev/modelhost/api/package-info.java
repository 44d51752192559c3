/**
 * The OpenAI wire types: chat completions (request, response, stream chunk), legacy completions,
 * the model list and the error body, as records that read and write exactly the JSON OpenAI
 * clients expect. {@link dev.modelhost.api.Json#mapper()} is the mapper configured for them.
 */
@NullMarked
package dev.modelhost.api;

import org.jspecify.annotations.NullMarked;
