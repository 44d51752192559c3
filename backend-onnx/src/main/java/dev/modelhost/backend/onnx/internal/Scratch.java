package dev.modelhost.backend.onnx.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Direct buffers that one thread reuses from call to call, so that a decode step allocates no
 * buffers of its own. A call's tensors over them are closed before the call returns.
 */
final class Scratch {

  static final int IDS = 0;
  static final int POSITIONS = 1;
  static final int MASK = 2;
  static final int LOGITS = 3;

  private final ByteBuffer[] buffers = new ByteBuffer[4];

  /** Buffer {@code slot} in native byte order with exactly {@code bytes} remaining. */
  ByteBuffer take(int slot, long bytes) {
    int size = Math.toIntExact(bytes);
    ByteBuffer buffer = buffers[slot];
    if (buffer == null || buffer.capacity() < size) {
      buffer = ByteBuffer.allocateDirect(Math.max(size, 256));
      buffers[slot] = buffer;
    }
    return buffer.duplicate().order(ByteOrder.nativeOrder()).clear().limit(size);
  }
}
