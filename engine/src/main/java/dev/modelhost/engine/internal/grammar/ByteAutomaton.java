package dev.modelhost.engine.internal.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled grammar: a deterministic automaton over bytes, built lazily from the grammar's NFA
 * (subset construction, one state at a time as generation reaches it). State ids are small
 * integers; {@link #DEAD} means the bytes cannot continue any text of the grammar.
 *
 * <p>Thread-safe: one automaton serves every sequence that uses the same constraint.
 */
public final class ByteAutomaton {

  public static final int DEAD = -1;
  private static final int UNKNOWN = -2;

  private final Nfa nfa;
  private final Map<Key, Integer> ids = new HashMap<>();
  private final List<int[]> members = new ArrayList<>();
  private final List<int[]> transitions = new ArrayList<>();
  private final BitSet accepting = new BitSet();
  private final BitSet exits = new BitSet();
  private final int start;

  private ByteAutomaton(Nfa nfa) {
    this.nfa = nfa;
    BitSet seed = new BitSet();
    seed.set(nfa.start());
    this.start = stateOf(closure(seed));
  }

  /**
   * @throws GrammarTooLargeException when the grammar is too large to compile
   */
  public static ByteAutomaton compile(Grammar grammar) {
    return new ByteAutomaton(Nfa.of(grammar));
  }

  public int start() {
    return start;
  }

  /** The state after byte {@code b} (0..255) from {@code state}, or {@link #DEAD}. */
  public synchronized int step(int state, int b) {
    int[] row = transitions.get(state);
    int next = row[b];
    if (next == UNKNOWN) {
      next = computeStep(state, b);
      row[b] = next;
    }
    return next;
  }

  /** The state after all of {@code bytes}, or {@link #DEAD}. */
  public synchronized int walk(int state, byte[] bytes) {
    int at = state;
    for (int i = 0; i < bytes.length && at != DEAD; i++) {
      at = step(at, bytes[i] & 0xff);
    }
    return at;
  }

  /** Whether the text read so far is a whole text of the grammar. */
  public synchronized boolean accepting(int state) {
    return accepting.get(state);
  }

  /** Whether some byte can follow in {@code state}. */
  public synchronized boolean hasExits(int state) {
    return exits.get(state);
  }

  /** Number of states built so far. */
  public synchronized int stateCount() {
    return members.size();
  }

  private int computeStep(int state, int b) {
    BitSet next = new BitSet();
    for (int s : members.get(state)) {
      ByteSet edge = nfa.edge(s);
      if (edge != null && edge.contains(b)) {
        next.set(nfa.edgeTarget(s));
      }
    }
    return next.isEmpty() ? DEAD : stateOf(closure(next));
  }

  private BitSet closure(BitSet seed) {
    BitSet seen = (BitSet) seed.clone();
    int[] stack = seed.stream().toArray();
    int top = stack.length;
    while (top > 0) {
      int s = stack[--top];
      for (int i = 0; i < nfa.emptyCount(s); i++) {
        int t = nfa.emptyTarget(s, i);
        if (!seen.get(t)) {
          seen.set(t);
          if (top == stack.length) {
            stack = Arrays.copyOf(stack, stack.length * 2 + 4);
          }
          stack[top++] = t;
        }
      }
    }
    return seen;
  }

  private int stateOf(BitSet set) {
    // Only states with a byte edge, and the accept state, tell subsets apart.
    BitSet relevant = new BitSet();
    boolean accepts = false;
    boolean hasExit = false;
    for (int s = set.nextSetBit(0); s >= 0; s = set.nextSetBit(s + 1)) {
      if (nfa.edge(s) != null) {
        relevant.set(s);
        hasExit = true;
      } else if (s == nfa.accept()) {
        relevant.set(s);
        accepts = true;
      }
    }
    Key key = new Key(relevant.toLongArray());
    Integer id = ids.get(key);
    if (id != null) {
      return id;
    }
    int created = members.size();
    ids.put(key, created);
    members.add(relevant.stream().toArray());
    int[] row = new int[256];
    Arrays.fill(row, UNKNOWN);
    transitions.add(row);
    accepting.set(created, accepts);
    exits.set(created, hasExit);
    return created;
  }

  private record Key(long[] words) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key k && Arrays.equals(words, k.words);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(words);
    }
  }
}
