package dev.modelhost.backend.onnx.internal;

import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the ONNX files of a model repository to download: an ONNX Runtime GenAI folder
 * ({@code genai_config.json} with its decoder at the root), or the graph of the selected
 * {@code variant} ({@code model.onnx} for {@code fp32}, else {@code model_VARIANT.onnx}) at the root
 * or under {@code onnx/} as onnx-community exports keep it; each with its external data files.
 */
public final class OnnxWeightFiles {

  private OnnxWeightFiles() {}

  public static List<String> choose(List<String> available, ModelSource source) {
    List<String> chosen = new ArrayList<>();
    if (available.contains("genai_config.json")) {
      chosen.add("genai_config.json");
      for (String path : available) {
        if (!path.contains("/") && path.endsWith(".onnx")) {
          chosen.add(path);
          chosen.addAll(externalData(available, path));
        }
      }
      return chosen;
    }
    String variant = source.option("variant", "fp32").trim().toLowerCase(Locale.ROOT);
    String graph = "fp32".equals(variant) ? "model.onnx" : "model_" + variant + ".onnx";
    for (String folder : List.of("", "onnx/")) {
      if (available.contains(folder + graph)) {
        chosen.add(folder + graph);
        chosen.addAll(externalData(available, folder + graph));
        return chosen;
      }
    }
    List<String> graphs = available.stream().filter(path -> path.endsWith(".onnx")).toList();
    throw new ModelLoadException("The model has no " + graph + " (variant '" + variant + "') at its root or under"
        + " onnx/. Its ONNX files: " + (graphs.isEmpty() ? "none" : String.join(", ", graphs)) + ".");
  }

  /** {@code NAME.onnx_data}, {@code NAME.onnx.data} and their numbered parts. */
  private static List<String> externalData(List<String> available, String graph) {
    return available.stream()
        .filter(path -> path.startsWith(graph + "_data") || path.startsWith(graph + ".data"))
        .toList();
  }
}
