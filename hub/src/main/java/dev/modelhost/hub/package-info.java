/**
 * Serving models straight from a Hugging Face-compatible hub: {@link dev.modelhost.hub.HubModelFetcher}
 * turns a location such as {@code hf:ORG/NAME@REVISION} into a folder of the hub's own cache layout,
 * downloading only the files the service's backend needs.
 */
@NullMarked
package dev.modelhost.hub;

import org.jspecify.annotations.NullMarked;
