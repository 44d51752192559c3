package dev.modelhost.engine.internal.grammar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random texts of a compiled grammar, by random walks through its automaton.
 *
 * <p>At each state the walk groups the bytes that do not lead to {@link ByteAutomaton#DEAD} by the
 * state they lead to, picks a group at random and a byte in it (so that a string's closing quote
 * is as likely as "some other character"). In an accepting state it stops with probability 1/4.
 * Every walk ends: once it has {@code budget} bytes it appends the shortest completion to an
 * accepting state (found breadth-first, memoised per state), which exists because the grammar's
 * automaton has no live state without a way to accept.
 */
public final class RandomTexts {

  private final ByteAutomaton automaton;
  private final Random random;
  private final Map<Integer, byte[]> shortestCompletion = new HashMap<>();

  public RandomTexts(ByteAutomaton automaton, long seed) {
    this.automaton = automaton;
    this.random = new Random(seed);
  }

  public String next(int budget) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int state = automaton.start();
    while (true) {
      if (automaton.accepting(state) && (!automaton.hasExits(state) || random.nextInt(4) == 0)) {
        break;
      }
      if (out.size() >= budget) {
        out.writeBytes(completion(state));
        break;
      }
      List<List<Integer>> groups = new ArrayList<>(movesByTarget(state).values());
      List<Integer> group = groups.get(random.nextInt(groups.size()));
      int b = group.get(random.nextInt(group.size()));
      out.write(b);
      state = automaton.step(state, b);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private Map<Integer, List<Integer>> movesByTarget(int state) {
    Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
    for (int b = 0; b < 256; b++) {
      int target = automaton.step(state, b);
      if (target != ByteAutomaton.DEAD) {
        groups.computeIfAbsent(target, t -> new ArrayList<>()).add(b);
      }
    }
    return groups;
  }

  private byte[] completion(int from) {
    byte[] known = shortestCompletion.get(from);
    if (known != null) {
      return known;
    }
    Map<Integer, int[]> cameFrom = new HashMap<>(); // state -> {previous state, byte}
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    queue.add(from);
    cameFrom.put(from, null);
    while (!queue.isEmpty()) {
      int state = queue.poll();
      if (automaton.accepting(state)) {
        ByteArrayOutputStream reversed = new ByteArrayOutputStream();
        for (int[] step = cameFrom.get(state); step != null; step = cameFrom.get(step[0])) {
          reversed.write(step[1]);
        }
        byte[] path = reversed.toByteArray();
        for (int i = 0, j = path.length - 1; i < j; i++, j--) {
          byte t = path[i];
          path[i] = path[j];
          path[j] = t;
        }
        shortestCompletion.put(from, path);
        return path;
      }
      for (Map.Entry<Integer, List<Integer>> move : movesByTarget(state).entrySet()) {
        if (!cameFrom.containsKey(move.getKey())) {
          cameFrom.put(move.getKey(), new int[] {state, move.getValue().get(0)});
          queue.add(move.getKey());
        }
      }
    }
    throw new AssertionError("No accepting state is reachable from state " + from);
  }
}
