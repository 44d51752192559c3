/** Implementation of the local generation engine; not a public API. */
@NullMarked
package dev.modelhost.engine.internal;

import org.jspecify.annotations.NullMarked;
