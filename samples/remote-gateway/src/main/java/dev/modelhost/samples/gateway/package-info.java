/** A Spring Boot gateway that serves one model from several upstream OpenAI-compatible servers. */
@NullMarked
package dev.modelhost.samples.gateway;

import org.jspecify.annotations.NullMarked;
