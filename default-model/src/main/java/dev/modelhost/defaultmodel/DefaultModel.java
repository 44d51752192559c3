package dev.modelhost.defaultmodel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The models Modelhost ships: small Llama-architecture decoders made by the project's own
 * generator, each as one directory that both the ONNX backend ({@code model.onnx}) and the DJL
 * backend ({@code model.safetensors}) load.
 *
 * <p>Model runtimes need files, so {@link #directory()} copies the classpath resources once into a
 * cache folder ({@code MODELHOST_CACHE}, else {@code ~/.cache/modelhost}) named by a digest of the
 * content, and returns it.
 */
public enum DefaultModel {
  /** Trained on the fortunes corpus; answers chat prompts with English-like text. */
  FORTUNE_LLAMA("fortune-llama"),
  /** Random weights, same tokenizer and architecture, tiny: for fast tests. */
  TINY_RANDOM("tiny-random");

  private static final List<String> FILES =
      List.of(
          "config.json",
          "generation_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "model.onnx",
          "model.safetensors");

  private final String folder;
  // Remembered after the first call: materializing reads and hashes every file (tens of MB).
  private @Nullable Path materialized;

  DefaultModel(String folder) {
    this.folder = folder;
  }

  /** Short name of the model, e.g. {@code fortune-llama}. */
  public String modelName() {
    return folder;
  }

  /** The model directory on disk, materialized from the classpath on first use. */
  public synchronized Path directory() {
    if (materialized != null && Files.isDirectory(materialized)) {
      return materialized;
    }
    materialized = materialize();
    return materialized;
  }

  private Path materialize() {
    try {
      List<byte[]> contents = new ArrayList<>(FILES.size());
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String file : FILES) {
        byte[] bytes = read(file);
        contents.add(bytes);
        digest.update(file.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update(bytes);
      }
      String version = HexFormat.of().formatHex(digest.digest(), 0, 8);
      Path target = cacheRoot().resolve("models").resolve(folder + "-" + version);
      if (Files.isDirectory(target)) {
        return target;
      }
      Files.createDirectories(target.getParent());
      Path staging = Files.createTempDirectory(target.getParent(), folder + "-staging-");
      for (int i = 0; i < FILES.size(); i++) {
        Files.write(staging.resolve(FILES.get(i)), contents.get(i));
      }
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException raced) {
        // Another process materialized the same version first; its copy is identical.
        deleteTree(staging);
      } catch (IOException e) {
        if (!Files.isDirectory(target)) {
          throw e;
        }
        deleteTree(staging);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot materialize the " + folder + " model", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private byte[] read(String file) throws IOException {
    String resource = "/dev/modelhost/defaultmodel/" + folder + "/" + file;
    try (InputStream in = DefaultModel.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("Missing model resource " + resource);
      }
      return in.readAllBytes();
    }
  }

  private static Path cacheRoot() {
    String configured = System.getenv("MODELHOST_CACHE");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "modelhost");
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.delete(file);
      }
    }
    Files.delete(dir);
  }
}
