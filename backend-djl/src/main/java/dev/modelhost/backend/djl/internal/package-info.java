/** Safetensors reading and the Llama-family decoder on DJL's PyTorch engine. */
@NullMarked
package dev.modelhost.backend.djl.internal;

import org.jspecify.annotations.NullMarked;
