package dev.modelhost.samples.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChatConsoleTest {

  @Test
  void streamsTheDefaultModelsGreedyAnswerAndItsUsage() {
    PrintStream console = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ChatConsole.main(new String[] {"Tell", "me", "a", "fortune."});
    } finally {
      System.setOut(console);
    }

    // The generator's transcript of the same greedy request (tools/default-model/transcript.txt).
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .startsWith("> Tell me a fortune.\n")
        .contains("\"I'm a good idea of my life, but I'm not a good thing.\"")
        .endsWith("[13 prompt tokens, 39 completion tokens]\n");
  }
}
