/** ONNX Runtime decoder internals: graph layout detection, KV caches, session set-up. */
@NullMarked
package dev.modelhost.backend.onnx.internal;

import org.jspecify.annotations.NullMarked;
