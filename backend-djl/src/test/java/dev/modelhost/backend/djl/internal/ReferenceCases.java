package dev.modelhost.backend.djl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.Json;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.DecoderState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.data.Offset;
import tools.jackson.databind.JsonNode;

/**
 * Expected outputs written by {@code tools/djl_reference_fixtures.py} (an independent float64
 * PyTorch forward pass): per prompt, the logits of its last position and its greedy continuation.
 */
public final class ReferenceCases {

  /** fp32 against a float64 reference on logits of magnitude up to ~20. */
  public static final float LOGIT_TOLERANCE = 1e-3f;

  private ReferenceCases() {}

  /** Feeds every prompt, then decodes greedily one token at a time, comparing with the reference. */
  public static void assertDecoderMatches(Decoder decoder, Path expectedJson) {
    for (JsonNode expected : readJson(expectedJson).get("cases")) {
      int[] prompt = ints(expected.get("prompt"));
      int[] greedy = ints(expected.get("greedy"));
      try (DecoderState state = decoder.newState()) {
        float[] logits = step(decoder, state, prompt);
        assertThat(logits).containsExactly(floats(expected.get("promptLogits")), Offset.offset(LOGIT_TOLERANCE));
        int[] produced = new int[greedy.length];
        for (int i = 0; i < greedy.length; i++) {
          produced[i] = argmax(logits);
          logits = step(decoder, state, produced[i]);
        }
        assertThat(produced).as("greedy continuation of %s", Arrays.toString(prompt)).containsExactly(greedy);
        assertThat(state.length()).isEqualTo(prompt.length + greedy.length);
      }
    }
  }

  /** The test resource folder {@code name} under this backend's fixtures. */
  public static Path fixture(String name) {
    try {
      return Path.of(ReferenceCases.class.getResource("/dev/modelhost/backend/djl/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One step of one sequence; its logits. */
  public static float[] step(Decoder decoder, DecoderState state, int... tokens) {
    return decoder.step(List.of(new Decoder.Step(state, tokens)))[0];
  }

  static JsonNode readJson(Path file) {
    try {
      return Json.mapper().readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int[] ints(JsonNode array) {
    int[] values = new int[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asInt();
    }
    return values;
  }

  private static float[] floats(JsonNode array) {
    float[] values = new float[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) array.get(i).asDouble();
    }
    return values;
  }

  public static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
