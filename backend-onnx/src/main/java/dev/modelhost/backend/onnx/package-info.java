/** The ONNX Runtime backend ({@code onnx}). */
@NullMarked
package dev.modelhost.backend.onnx;

import org.jspecify.annotations.NullMarked;
