/** A ready-to-run OpenAI-compatible model server on the Modelhost Spring Boot starter. */
@NullMarked
package dev.modelhost.samples.server;

import org.jspecify.annotations.NullMarked;
