/** Implementation of the starter; not API. */
@NullMarked
package dev.modelhost.spring.internal;

import org.jspecify.annotations.NullMarked;
