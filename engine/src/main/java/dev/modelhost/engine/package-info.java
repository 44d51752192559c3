/**
 * The shared generation engine of the local backends. A backend subclasses
 * {@link dev.modelhost.engine.LocalBackendProvider} and implements {@link dev.modelhost.engine.Decoder};
 * tokenization, chat templates, sampling, stop sequences, streaming and tool-call parsing are done
 * here once.
 */
@NullMarked
package dev.modelhost.engine;

import org.jspecify.annotations.NullMarked;
