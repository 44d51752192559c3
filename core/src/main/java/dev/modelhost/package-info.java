/**
 * The host API: {@link dev.modelhost.ModelHost} deploys {@link dev.modelhost.ServiceSpec}s as model
 * services and answers OpenAI-shaped requests to them.
 */
@NullMarked
package dev.modelhost;

import org.jspecify.annotations.NullMarked;
