/**
 * The host's implementation: service registry, replica pools, request validation, response
 * assembly and usage accounting. Not an API: anything here may change without notice.
 */
@NullMarked
package dev.modelhost.internal;

import org.jspecify.annotations.NullMarked;
