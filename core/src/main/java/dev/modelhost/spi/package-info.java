/**
 * What a backend implements: a {@link dev.modelhost.spi.BackendProvider} (found with
 * {@link java.util.ServiceLoader}) loads a {@link dev.modelhost.spi.ModelRuntime}, whose
 * {@link dev.modelhost.spi.Replica}s run requests and report output as
 * {@link dev.modelhost.spi.ChoiceDelta}s. Core does the rest: validation, queueing, response
 * assembly, usage records.
 */
@NullMarked
package dev.modelhost.spi;

import org.jspecify.annotations.NullMarked;
