/** The in-memory and JDBC implementations of the store; not API. */
@NullMarked
package dev.modelhost.spring.internal.store;

import org.jspecify.annotations.NullMarked;
