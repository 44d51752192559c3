/** The {@code djl} backend: Llama-family safetensors models run with DJL on PyTorch. */
@NullMarked
package dev.modelhost.backend.djl;

import org.jspecify.annotations.NullMarked;
