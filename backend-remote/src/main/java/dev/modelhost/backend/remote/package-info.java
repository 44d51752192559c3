/** The remote backend: serves a model service by relaying to OpenAI-compatible upstream servers. */
@NullMarked
package dev.modelhost.backend.remote;

import org.jspecify.annotations.NullMarked;
