package dev.modelhost.backend.onnx.internal;

import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Picks one of a model's graph files by the service option {@code variant}. Exports that ship
 * several precisions (the onnx-community layout that transformers.js reads, and folders with
 * quantized siblings at the root) name them after the full-precision graph: {@code model.onnx} is
 * {@code fp32}, {@code model_q4.onnx} is {@code q4}, likewise {@code fp16}, {@code q4f16},
 * {@code int8}, {@code uint8}, {@code quantized}, {@code bnb4} or any other suffix.
 *
 * <p>Without the option the full-precision graph is used when present, else the only variant
 * there is; several variants and no full-precision graph, or an unknown variant, are load errors
 * that list what the folder offers.
 */
final class ModelVariants {

  /** The service option that selects a variant. */
  static final String OPTION = "variant";
  static final String FULL_PRECISION = "fp32";
  /** Where the onnx-community layout keeps its graphs; the root is searched first. */
  static final String ONNX_FOLDER = "onnx";

  private static final String SUFFIX = ".onnx";
  private static final int LISTING_LIMIT = 40;

  private ModelVariants() {}

  /** The graph of a Hugging Face export: {@code model*.onnx} at the root or in {@code onnx/}. */
  static String chooseOptimum(ModelDirectory files, @Nullable String variant) {
    return chooseOptimum(graphsIn(files), files.toString(), variant, () -> listing(files));
  }

  /**
   * As {@link #chooseOptimum(ModelDirectory, String)}, among the paths of a model repository that
   * is not downloaded yet.
   */
  static String chooseOptimum(Collection<String> paths, String where, @Nullable String variant,
      Supplier<String> listing) {
    Map<String, String> found = new LinkedHashMap<>();
    for (String folder : List.of("", ONNX_FOLDER + "/")) {
      variants(paths, folder + "model" + SUFFIX).forEach(found::putIfAbsent);
    }
    if (found.isEmpty()) {
      throw new ModelLoadException("Model file 'model.onnx' (named by " + ModelSpec.HF_CONFIG + ") not found in " + where
          + ", neither at the root nor in " + ONNX_FOLDER + "/ (nor any variant such as model_q4.onnx). Found: "
          + listing.get() + ".");
    }
    return select(where, found, "model.onnx (root or " + ONNX_FOLDER + "/)", variant);
  }

  /** {@code base} (named by {@code namedBy}) or its sibling variant {@code <stem>_<variant>.onnx}. */
  static String choose(ModelDirectory files, String base, String namedBy, @Nullable String variant) {
    files.resolve(base); // refuses a name that leads out of the folder, naming it
    Map<String, String> found = variants(graphsIn(files, base), base);
    if (found.isEmpty()) {
      throw new ModelLoadException("Model file '" + base + "' (named by " + namedBy + ") not found in " + files
          + ". Found: " + listing(files) + ".");
    }
    return select(files.toString(), found, base, variant);
  }

  /** The external data files of a graph: {@code NAME.onnx.data}, {@code NAME.onnx_data} and their numbered parts. */
  static List<String> externalData(Collection<String> paths, String graph) {
    return paths.stream().filter(p -> p.startsWith(graph + ".data") || p.startsWith(graph + "_data")).sorted().toList();
  }

  private static String select(String where, Map<String, String> found, String base, @Nullable String variant) {
    if (variant != null) {
      String wanted = variant.trim().toLowerCase(Locale.ROOT);
      String file = found.get(wanted);
      if (file == null) {
        throw new ModelLoadException("Option " + OPTION + "=" + variant + ": no such variant of " + base + " in " + where
            + ". Available: " + describe(found) + ".");
      }
      return file;
    }
    String full = found.get(FULL_PRECISION);
    if (full != null) {
      return full;
    }
    if (found.size() == 1) {
      return found.values().iterator().next();
    }
    throw new ModelLoadException("Several variants of " + base + " and no full-precision graph in " + where
        + ": choose one with the option " + OPTION + " (e.g. " + OPTION + "=" + found.keySet().iterator().next()
        + "). Available: " + describe(found) + ".");
  }

  /** Variant name to path, for {@code base} and its {@code <stem>_<name>.onnx} siblings among {@code paths}. */
  private static Map<String, String> variants(Collection<String> paths, String base) {
    Map<String, String> found = new LinkedHashMap<>();
    int slash = base.lastIndexOf('/');
    String prefix = base.substring(0, slash + 1);
    String name = base.substring(slash + 1);
    List<String> siblings = paths.stream()
        .filter(p -> p.startsWith(prefix) && p.indexOf('/', prefix.length()) < 0)
        .map(p -> p.substring(prefix.length()))
        .sorted()
        .toList();
    if (siblings.contains(name)) {
      found.put(FULL_PRECISION, base);
    }
    if (!name.endsWith(SUFFIX)) {
      return found;
    }
    String stem = name.substring(0, name.length() - SUFFIX.length());
    for (String sibling : siblings) {
      if (sibling.startsWith(stem + "_") && sibling.endsWith(SUFFIX)) {
        String variant = sibling.substring(stem.length() + 1, sibling.length() - SUFFIX.length()).toLowerCase(Locale.ROOT);
        if (!variant.isEmpty()) {
          found.putIfAbsent(variant, prefix + sibling);
        }
      }
    }
    return found;
  }

  /** The regular files at the root of the model directory and in {@code onnx/}, as relative paths. */
  private static List<String> graphsIn(ModelDirectory files) {
    List<String> paths = new ArrayList<>();
    for (String folder : List.of("", ONNX_FOLDER + "/")) {
      paths.addAll(filesIn(files, folder));
    }
    return paths;
  }

  /** The regular files in the folder of {@code base}, as relative paths. */
  private static List<String> graphsIn(ModelDirectory files, String base) {
    int slash = base.lastIndexOf('/');
    return filesIn(files, base.substring(0, slash + 1));
  }

  private static List<String> filesIn(ModelDirectory files, String folder) {
    Path path = folder.isEmpty() ? files.root() : files.resolve(folder.substring(0, folder.length() - 1));
    if (!Files.isDirectory(path)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(path)) {
      return entries.filter(Files::isRegularFile).map(p -> folder + p.getFileName()).sorted().toList();
    } catch (IOException e) {
      throw new ModelLoadException("Cannot list the model folder " + path + ".", e);
    }
  }

  private static String describe(Map<String, String> found) {
    return found.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "));
  }

  /** The files at the root of the model directory and in {@code onnx/}, for error messages. */
  static String listing(ModelDirectory files) {
    List<String> names = new ArrayList<>();
    for (String folder : List.of("", ONNX_FOLDER + "/")) {
      Path path = folder.isEmpty() ? files.root() : files.root().resolve(folder);
      if (!Files.isDirectory(path)) {
        continue;
      }
      try (Stream<Path> entries = Files.list(path)) {
        entries.map(p -> folder + p.getFileName() + (Files.isDirectory(p) ? "/" : "")).sorted().forEach(names::add);
      } catch (IOException e) {
        names.add(folder + " (unreadable: " + e.getMessage() + ")");
      }
    }
    if (names.isEmpty()) {
      return "nothing (the directory is empty)";
    }
    String shown = String.join(", ", names.subList(0, Math.min(names.size(), LISTING_LIMIT)));
    return "[" + shown + (names.size() > LISTING_LIMIT ? ", and " + (names.size() - LISTING_LIMIT) + " more" : "") + "]";
  }
}
