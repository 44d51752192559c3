package dev.modelhost.backend.onnx.internal;

import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Files of one model directory; every name resolves inside it, symbolic links included. */
final class ModelFiles {

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final Path root;

  ModelFiles(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new ModelLoadException("Model directory '" + directory + "' does not exist or is not a directory.");
    }
    try {
      this.root = directory.toRealPath();
    } catch (IOException e) {
      throw new ModelLoadException("Cannot open model directory '" + directory + "': " + e.getMessage(), e);
    }
  }

  Path root() {
    return root;
  }

  boolean exists(String name) {
    Path path = root.resolve(name).normalize();
    return path.startsWith(root) && Files.isRegularFile(path);
  }

  /** The real path of {@code name}; it must exist and stay inside the model directory. */
  Path resolve(String name) {
    Path path = root.resolve(name).normalize();
    Path real;
    try {
      real = path.startsWith(root) ? path.toRealPath() : path;
    } catch (IOException e) {
      throw new ModelLoadException("Model file '" + name + "' not found in '" + root + "'.", e);
    }
    if (!real.startsWith(root)) {
      throw new ModelLoadException(
          "Model file '" + name + "' resolves outside the model directory '" + root + "'; files must stay inside it.");
    }
    return real;
  }

  JsonNode readJson(String name) {
    Path path = resolve(name);
    try {
      return MAPPER.readTree(Files.readString(path));
    } catch (IOException | JacksonException e) {
      throw new ModelLoadException("Cannot read '" + name + "' in '" + root + "' as JSON: " + e.getMessage(), e);
    }
  }
}
