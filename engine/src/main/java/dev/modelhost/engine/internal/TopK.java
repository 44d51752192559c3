package dev.modelhost.engine.internal;

/**
 * The {@code k} largest entries of an array, most likely first, by a bounded min-heap: O(n log k)
 * instead of sorting all n. Reused across calls (not thread-safe).
 */
final class TopK {

  private int[] heap = new int[64];
  private float[] values = new float[64];
  private int size;

  /** Selects the {@code k} largest of {@code row[0, n)}; returns how many were selected. */
  int select(float[] row, int n, int k) {
    if (heap.length < k) {
      heap = new int[k];
      values = new float[k];
    }
    size = 0;
    for (int i = 0; i < n; i++) {
      float v = row[i];
      if (size < k) {
        heap[size] = i;
        values[size] = v;
        siftUp(size++);
      } else if (v > values[0]) {
        heap[0] = i;
        values[0] = v;
        siftDown(0, size);
      }
    }
    // Heap sort: the smallest goes to the end each time, leaving the largest first.
    for (int end = size - 1; end > 0; end--) {
      swap(0, end);
      siftDown(0, end);
    }
    return size;
  }

  /** The token id at rank {@code i} (0 = largest). */
  int index(int i) {
    return heap[i];
  }

  /** The value at rank {@code i}. */
  float value(int i) {
    return values[i];
  }

  int size() {
    return size;
  }

  private void siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (less(i, parent)) {
        swap(i, parent);
        i = parent;
      } else {
        return;
      }
    }
  }

  private void siftDown(int i, int n) {
    while (true) {
      int left = 2 * i + 1;
      if (left >= n) {
        return;
      }
      int smallest = left + 1 < n && less(left + 1, left) ? left + 1 : left;
      if (!less(smallest, i)) {
        return;
      }
      swap(i, smallest);
      i = smallest;
    }
  }

  /** Ties go to the higher id so that the lower id ranks first, as an argmax would pick. */
  private boolean less(int a, int b) {
    return values[a] < values[b] || (values[a] == values[b] && heap[a] > heap[b]);
  }

  private void swap(int a, int b) {
    int h = heap[a];
    heap[a] = heap[b];
    heap[b] = h;
    float v = values[a];
    values[a] = values[b];
    values[b] = v;
  }
}
