package dev.modelhost.backend.onnx.internal;

import dev.modelhost.spi.ModelSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses the ONNX files of a model repository to download, as {@link ModelSpec} would choose them
 * in a folder: an ONNX Runtime GenAI folder ({@code genai_config.json} and the graphs at its root,
 * since the graph it names is known only once it is read), else the {@code variant} of
 * {@code model.onnx} at the root or under {@code onnx/}; each graph with its external data.
 */
public final class OnnxWeightFiles {

  private OnnxWeightFiles() {}

  public static List<String> choose(List<String> available, ModelSource source) {
    List<String> chosen = new ArrayList<>();
    if (available.contains(ModelSpec.GENAI_CONFIG)) {
      chosen.add(ModelSpec.GENAI_CONFIG);
      for (String path : available) {
        if (!path.contains("/") && path.endsWith(".onnx")) {
          chosen.add(path);
          chosen.addAll(ModelVariants.externalData(available, path));
        }
      }
      return chosen;
    }
    String graph = ModelVariants.chooseOptimum(available, "the model's repository", source.option(ModelVariants.OPTION),
        () -> {
          List<String> graphs = available.stream().filter(p -> p.endsWith(".onnx")).toList();
          return graphs.isEmpty() ? "no .onnx file" : String.join(", ", graphs);
        });
    chosen.add(graph);
    chosen.addAll(ModelVariants.externalData(available, graph));
    return chosen;
  }
}
