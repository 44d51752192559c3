import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.prompt.PromptContext;
import java.io.File;
import java.util.Locale;
import java.util.UUID;

/**
 * Jlama on the same safetensors checkpoint as the benchmark suite's backends: greedy, fp32
 * weights and working memory, one sequence. Prints one line per run and a final
 * {@code jlama decode tok/s: ...} line that the suite reads. Run with a JDK 21 or later:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp CLASSPATH JlamaPeer.java MODEL_DIR NEW_TOKENS RUNS
 * </pre>
 */
public class JlamaPeer {
  public static void main(String[] args) throws Exception {
    AbstractModel model = ModelSupport.loadModel(new File(args[0]), DType.F32, DType.F32);
    int newTokens = Integer.parseInt(args[1]);
    int runs = Integer.parseInt(args[2]);
    PromptContext prompt = PromptContext.of("Once upon a time there was a machine that");
    int promptTokens = model.getTokenizer().encode(prompt.getPrompt()).length;
    StringBuilder speeds = new StringBuilder();
    for (int run = -1; run < runs; run++) {
      // Jlama's limit counts the prompt's tokens too.
      var response = model.generate(UUID.randomUUID(), prompt, 0.0f, promptTokens + newTokens, (text, time) -> {});
      double speed = response.generatedTokens * 1000.0 / Math.max(1, response.generateTimeMs);
      System.out.printf(Locale.ROOT, "run %d: prompt %d tokens in %d ms, %d tokens generated in %d ms (%.1f tok/s)%n",
          run, promptTokens, response.promptTimeMs, response.generatedTokens, response.generateTimeMs, speed);
      if (run >= 0) {
        speeds.append(speeds.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", speed));
      }
    }
    System.out.println("jlama decode tok/s: " + speeds);
  }
}
