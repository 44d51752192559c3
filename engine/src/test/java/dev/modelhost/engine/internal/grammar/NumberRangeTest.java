package dev.modelhost.engine.internal.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NumberRangeTest {

  private static boolean matches(ByteAutomaton automaton, String text) {
    int state = automaton.walk(automaton.start(), text.getBytes(StandardCharsets.UTF_8));
    return state != ByteAutomaton.DEAD && automaton.accepting(state);
  }

  @Test
  void integersInARangeAndNoOthers() {
    long[][] ranges = {{0, 0}, {0, 9}, {7, 123}, {-45, -3}, {-1000, 1000}, {99, 100}, {5, 5}, {-9007199254740991L, 9007199254740991L},
        {-2147483648L, 2147483647L}, {10, 19}, {123, 4567}};
    SplittableRandom random = new SplittableRandom(1);
    for (long[] range : ranges) {
      ByteAutomaton automaton = ByteAutomaton.compile(NumberRange.integers(range[0], range[1]));
      long span = range[1] - range[0];
      for (int i = 0; i < 400; i++) {
        long inside = range[0] + (span == 0 ? 0 : Math.floorMod(random.nextLong(), span + 1));
        assertThat(matches(automaton, Long.toString(inside))).as("%d in %d..%d", inside, range[0], range[1]).isTrue();
        long below = range[0] - 1 - random.nextInt(1000);
        long above = range[1] + 1 + random.nextInt(1000);
        assertThat(matches(automaton, Long.toString(below))).as("%d below %d", below, range[0]).isFalse();
        assertThat(matches(automaton, Long.toString(above))).as("%d above %d", above, range[1]).isFalse();
      }
      assertThat(matches(automaton, Long.toString(range[0]))).isTrue();
      assertThat(matches(automaton, Long.toString(range[1]))).isTrue();
      assertThat(matches(automaton, "0" + Math.abs(range[1]))).as("no leading zero").isFalse();
      assertThat(matches(automaton, "-0")).isFalse();
    }
  }

  @Test
  void numbersHaveFractionsOnlyWhereEveryFractionStaysInRange() {
    ByteAutomaton automaton = ByteAutomaton.compile(NumberRange.numbers(-3, 10));
    assertThat(matches(automaton, "9.75")).isTrue();
    assertThat(matches(automaton, "10")).isTrue();
    assertThat(matches(automaton, "10.5")).isFalse();
    assertThat(matches(automaton, "-3")).isTrue();
    assertThat(matches(automaton, "-3.5")).isFalse();
    assertThat(matches(automaton, "11")).isFalse();
    assertThat(matches(automaton, "1e3")).isFalse();
  }
}
