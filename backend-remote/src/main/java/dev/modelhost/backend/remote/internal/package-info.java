/** Internals of the remote backend; not a public API. */
@NullMarked
package dev.modelhost.backend.remote.internal;

import org.jspecify.annotations.NullMarked;
