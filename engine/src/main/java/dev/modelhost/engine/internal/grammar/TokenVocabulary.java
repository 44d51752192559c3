package dev.modelhost.engine.internal.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A model's tokens as the bytes each adds to the output, in a trie, so that the tokens allowed
 * in an automaton state are found by one walk that drops whole subtrees at the first byte the
 * grammar refuses, instead of matching every token's text. Built once per model.
 *
 * <p>Tokens with no bytes (special tokens) are never allowed by a grammar; the end tokens are
 * allowed where the grammar's text is complete.
 */
public final class TokenVocabulary {

  private final int size;
  private final byte[][] bytes;
  private final int[] endTokens;
  // The trie, flattened breadth first: node n's children are childByte/childNode[firstChild[n] ..
  // firstChild[n] + childCount[n]), and the tokens that end at n are tokens[firstToken[n] .. + tokenCount[n]).
  private final int[] firstChild;
  private final int[] childCount;
  private final byte[] childByte;
  private final int[] childNode;
  private final int[] firstToken;
  private final int[] tokenCount;
  private final int[] tokens;

  /**
   * @param size the number of token ids the model scores (rows of logits may be longer than the tokenizer)
   * @param bytes the bytes of each token id below {@code bytes.length}; empty for tokens a grammar never allows
   * @param endTokens the tokens that end generation
   */
  public TokenVocabulary(int size, byte[][] bytes, int[] endTokens) {
    this.size = size;
    this.bytes = bytes;
    this.endTokens = endTokens.clone();
    Builder root = new Builder();
    for (int id = 0; id < Math.min(size, bytes.length); id++) {
      byte[] b = bytes[id];
      if (b.length == 0) {
        continue;
      }
      Builder node = root;
      for (byte x : b) {
        node = node.children.computeIfAbsent(x & 0xff, k -> new Builder());
      }
      node.tokens.add(id);
    }
    List<Builder> order = new ArrayList<>();
    ArrayDeque<Builder> queue = new ArrayDeque<>();
    queue.add(root);
    while (!queue.isEmpty()) {
      Builder node = queue.poll();
      node.id = order.size();
      order.add(node);
      queue.addAll(node.children.values());
    }
    int nodes = order.size();
    firstChild = new int[nodes];
    childCount = new int[nodes];
    childByte = new byte[nodes];
    childNode = new int[nodes];
    firstToken = new int[nodes];
    tokenCount = new int[nodes];
    int tokenTotal = order.stream().mapToInt(n -> n.tokens.size()).sum();
    tokens = new int[tokenTotal];
    int edge = 0;
    int token = 0;
    for (Builder node : order) {
      firstChild[node.id] = edge;
      childCount[node.id] = node.children.size();
      for (var child : node.children.entrySet()) {
        childByte[edge] = (byte) (int) child.getKey();
        childNode[edge++] = child.getValue().id;
      }
      firstToken[node.id] = token;
      tokenCount[node.id] = node.tokens.size();
      for (int id : node.tokens) {
        tokens[token++] = id;
      }
    }
  }

  /** Number of token ids (the width of a row of logits). */
  public int size() {
    return size;
  }

  /** The bytes of token {@code id}; empty when a grammar never allows it. Do not modify. */
  public byte[] bytes(int id) {
    return id < bytes.length ? bytes[id] : new byte[0];
  }

  public boolean isEnd(int token) {
    for (int end : endTokens) {
      if (end == token) {
        return true;
      }
    }
    return false;
  }

  /** The tokens allowed in {@code state} of {@code automaton}, as a bit set over token ids. */
  long[] allowed(ByteAutomaton automaton, int state) {
    long[] mask = new long[(size + 63) >>> 6];
    synchronized (automaton) {
      int[] nodeStack = new int[64];
      int[] stateStack = new int[64];
      int top = 0;
      nodeStack[top] = 0;
      stateStack[top++] = state;
      while (top > 0) {
        int node = nodeStack[--top];
        int at = stateStack[top];
        int from = firstChild[node];
        for (int e = from; e < from + childCount[node]; e++) {
          int next = automaton.step(at, childByte[e] & 0xff);
          if (next == ByteAutomaton.DEAD) {
            continue;
          }
          int child = childNode[e];
          for (int t = firstToken[child]; t < firstToken[child] + tokenCount[child]; t++) {
            mask[tokens[t] >>> 6] |= 1L << tokens[t];
          }
          if (childCount[child] > 0) {
            if (top == nodeStack.length) {
              nodeStack = java.util.Arrays.copyOf(nodeStack, top * 2);
              stateStack = java.util.Arrays.copyOf(stateStack, top * 2);
            }
            nodeStack[top] = child;
            stateStack[top++] = next;
          }
        }
      }
      if (automaton.accepting(state)) {
        for (int end : endTokens) {
          if (end >= 0 && end < size) {
            mask[end >>> 6] |= 1L << end;
          }
        }
      }
    }
    return mask;
  }

  private static final class Builder {
    final TreeMap<Integer, Builder> children = new TreeMap<>();
    final List<Integer> tokens = new ArrayList<>(1);
    int id;
  }
}
