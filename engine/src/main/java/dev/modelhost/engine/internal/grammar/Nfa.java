package dev.modelhost.engine.internal.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A grammar as a Thompson NFA: each state has at most one byte edge (a {@link ByteSet} to one
 * target) and any number of empty edges. Built once per grammar; read-only afterwards.
 */
final class Nfa {

  /** More states than this means a grammar too large to compile (e.g. a huge maxLength). */
  static final int MAX_STATES = 500_000;

  private int size;
  private int[][] empty = new int[64][];
  private int[] emptyCount = new int[64];
  private ByteSet[] edge = new ByteSet[64];
  private int[] edgeTarget = new int[64];
  private final int start;
  private final int accept;

  private Nfa(Grammar grammar) {
    start = newState();
    accept = build(grammar, start);
  }

  /**
   * @throws GrammarTooLargeException when the grammar needs more than {@link #MAX_STATES} states
   */
  static Nfa of(Grammar grammar) {
    return new Nfa(grammar);
  }

  int start() {
    return start;
  }

  int accept() {
    return accept;
  }

  int size() {
    return size;
  }

  int emptyCount(int state) {
    return emptyCount[state];
  }

  int emptyTarget(int state, int i) {
    return empty[state][i];
  }

  /** The bytes of {@code state}'s byte edge, or null when it has none. */
  ByteSet edge(int state) {
    return edge[state];
  }

  int edgeTarget(int state) {
    return edgeTarget[state];
  }

  /**
   * Adds {@code grammar} starting at {@code from} (a state with no byte edge); returns where it
   * ends, a state with no byte edge. {@code from} may keep empty edges elsewhere (the exit of an
   * optional part): no grammar's own edges lead back to its start, so those edges can only be
   * taken before it begins. (Loops go back to a state made for the loop.)
   */
  private int build(Grammar grammar, int from) {
    if (grammar instanceof Grammar.Literal literal) {
      int at = from;
      for (byte b : literal.bytes()) {
        int next = newState();
        addEdge(at, ByteSet.of(b & 0xff), next);
        at = next;
      }
      return at;
    }
    if (grammar instanceof Grammar.ByteClass byteClass) {
      if (byteClass.bytes().isEmpty()) {
        throw new IllegalArgumentException("A grammar byte class matches no byte.");
      }
      int next = newState();
      addEdge(from, byteClass.bytes(), next);
      return next;
    }
    if (grammar instanceof Grammar.Sequence sequence) {
      int at = from;
      for (Grammar part : sequence.parts()) {
        at = build(part, at);
      }
      return at;
    }
    if (grammar instanceof Grammar.Choice choice) {
      int end = newState();
      for (Grammar alternative : choice.alternatives()) {
        int begin = newState();
        addEmpty(from, begin);
        addEmpty(build(alternative, begin), end);
      }
      return end;
    }
    if (grammar instanceof Grammar.TextAvoiding text) {
      return textAvoiding(text, from);
    }
    if (grammar instanceof Grammar.Separated list) {
      return separated(list, from);
    }
    return repeat((Grammar.Repeat) grammar, from);
  }

  /**
   * Free text without the forbidden strings, as an Aho-Corasick automaton over the strings: one
   * state per prefix of a forbidden string (the longest one the text ends with); a byte that would
   * complete a forbidden string has no edge. A state's bytes are grouped by the state they lead
   * to, each group a helper state with one byte edge. The text may end in any state.
   */
  private int textAvoiding(Grammar.TextAvoiding text, int from) {
    List<byte[]> patterns = new ArrayList<>();
    for (String forbidden : text.forbidden()) {
      patterns.add(forbidden.getBytes(StandardCharsets.UTF_8));
    }
    // The prefixes of the patterns, the root (empty prefix) first.
    List<byte[]> prefixes = new ArrayList<>();
    Map<String, Integer> ids = new HashMap<>();
    prefixes.add(new byte[0]);
    ids.put("", 0);
    for (byte[] pattern : patterns) {
      for (int length = 1; length < pattern.length; length++) {
        byte[] prefix = Arrays.copyOf(pattern, length);
        String key = new String(prefix, StandardCharsets.ISO_8859_1);
        if (!ids.containsKey(key)) {
          ids.put(key, prefixes.size());
          prefixes.add(prefix);
        }
      }
    }
    int end = newState();
    int[] states = new int[prefixes.size()];
    for (int q = 0; q < states.length; q++) {
      states[q] = newState();
      addEmpty(states[q], end);
    }
    addEmpty(from, states[0]);
    for (int q = 0; q < states.length; q++) {
      Map<Integer, List<Integer>> bytesByTarget = new HashMap<>();
      for (int b = 0; b < 256; b++) {
        int target = next(prefixes.get(q), (byte) b, patterns, ids);
        if (target >= 0) {
          bytesByTarget.computeIfAbsent(target, k -> new ArrayList<>()).add(b);
        }
      }
      for (Map.Entry<Integer, List<Integer>> group : bytesByTarget.entrySet()) {
        int helper = newState();
        addEmpty(states[q], helper);
        addEdge(helper, ByteSet.of(group.getValue().stream().mapToInt(Integer::intValue).toArray()), states[group.getKey()]);
      }
    }
    return end;
  }

  /**
   * The state after {@code b} from the text ending in {@code prefix}: the longest prefix of a
   * pattern that the text then ends with, or -1 when it ends with a whole pattern.
   */
  private static int next(byte[] prefix, byte b, List<byte[]> patterns, Map<String, Integer> ids) {
    byte[] text = Arrays.copyOf(prefix, prefix.length + 1);
    text[prefix.length] = b;
    for (byte[] pattern : patterns) {
      if (pattern.length <= text.length && Arrays.equals(pattern, 0, pattern.length, text, text.length - pattern.length, text.length)) {
        return -1;
      }
    }
    for (int start = 0; start <= text.length; start++) {
      Integer id = ids.get(new String(text, start, text.length - start, StandardCharsets.ISO_8859_1));
      if (id != null) {
        return id;
      }
    }
    throw new IllegalStateException("The empty prefix is always a state.");
  }

  private int separated(Grammar.Separated list, int from) {
    Grammar.Sequence partThenSeparator = new Grammar.Sequence(List.of(list.part(), list.separator()));
    if (list.max() != Grammar.UNBOUNDED) {
      Grammar.Sequence separatorThenPart = new Grammar.Sequence(List.of(list.separator(), list.part()));
      int at = build(list.part(), from);
      return repeat(new Grammar.Repeat(separatorThenPart, list.min() - 1, list.max() - 1), at);
    }
    int at = repeat(new Grammar.Repeat(partThenSeparator, list.min() - 1, list.min() - 1), from);
    // One copy of the part in a loop: part, then either the end or a separator and back.
    int loop = newState();
    addEmpty(at, loop);
    int afterPart = build(list.part(), loop);
    addEmpty(build(list.separator(), afterPart), loop);
    int end = newState();
    addEmpty(afterPart, end);
    return end;
  }

  private int repeat(Grammar.Repeat repeat, int from) {
    int at = from;
    for (int i = 0; i < repeat.min(); i++) {
      at = build(repeat.part(), at);
    }
    int end = newState();
    if (repeat.max() == Grammar.UNBOUNDED) {
      int loop = newState();
      addEmpty(at, loop);
      addEmpty(build(repeat.part(), loop), loop);
      addEmpty(loop, end);
      return end;
    }
    for (int i = repeat.min(); i < repeat.max(); i++) {
      addEmpty(at, end);
      at = build(repeat.part(), at);
    }
    addEmpty(at, end);
    return end;
  }

  private int newState() {
    if (size == MAX_STATES) {
      throw new GrammarTooLargeException(MAX_STATES);
    }
    if (size == edge.length) {
      int capacity = size * 2;
      empty = Arrays.copyOf(empty, capacity);
      emptyCount = Arrays.copyOf(emptyCount, capacity);
      edge = Arrays.copyOf(edge, capacity);
      edgeTarget = Arrays.copyOf(edgeTarget, capacity);
    }
    return size++;
  }

  private void addEdge(int from, ByteSet bytes, int to) {
    if (edge[from] != null) {
      throw new IllegalStateException("NFA state " + from + " already has a byte edge");
    }
    edge[from] = bytes;
    edgeTarget[from] = to;
  }

  private void addEmpty(int from, int to) {
    int[] list = empty[from];
    if (list == null) {
      list = new int[2];
    } else if (emptyCount[from] == list.length) {
      list = Arrays.copyOf(list, list.length * 2);
    }
    list[emptyCount[from]++] = to;
    empty[from] = list;
  }
}
