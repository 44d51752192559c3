package dev.modelhost.backend.onnx.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;

/**
 * The KV tensors one run produced for a batch of rows, shared by the states of those rows. When the
 * same rows step together again the tensors are fed straight back as the next past (no copy); the
 * run's result is closed when the last row has moved on or was closed.
 */
final class KvCache {

  private final OrtSession.Result result;
  private final OnnxTensor[] tensors;
  private final int rows;
  private final int length;
  private int references;

  KvCache(OrtSession.Result result, OnnxTensor[] tensors, int rows, int length) {
    this.result = result;
    this.tensors = tensors;
    this.rows = rows;
    this.length = length;
    this.references = rows;
  }

  OnnxTensor[] tensors() {
    return tensors;
  }

  int rows() {
    return rows;
  }

  int length() {
    return length;
  }

  /** A copy of tensor {@code index}'s bytes, for gathering rows into a new batch. */
  ByteBuffer bytes(int index) {
    return tensors[index].getByteBuffer();
  }

  /** One row no longer needs these tensors; the last one closes them. */
  void release() {
    boolean last;
    synchronized (this) {
      last = --references == 0;
    }
    if (last) {
      result.close();
    }
  }
}
