package dev.modelhost.backend.onnx.internal;

import dev.modelhost.engine.DecoderState;
import org.jspecify.annotations.Nullable;

/** One sequence: its row in a {@link KvCache} (none while empty) and its length. */
final class OnnxDecoderState implements DecoderState {

  final OnnxDecoder decoder;
  @Nullable KvCache cache;
  int row;
  int length;
  boolean closed;

  OnnxDecoderState(OnnxDecoder decoder) {
    this.decoder = decoder;
  }

  @Override
  public int length() {
    return length;
  }

  /** Moves this sequence to its row of a newer cache, releasing the old one. */
  void advance(KvCache next, int nextRow, int added) {
    KvCache previous = cache;
    cache = next;
    row = nextRow;
    length += added;
    if (previous != null) {
      previous.release();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (cache != null) {
      cache.release();
      cache = null;
    }
  }
}
