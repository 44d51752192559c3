/** The hub protocol, the cache layout and transfers; not API. */
@NullMarked
package dev.modelhost.hub.internal;

import org.jspecify.annotations.NullMarked;
