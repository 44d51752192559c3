package dev.modelhost.engine;

import dev.modelhost.api.Json;
import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A model's folder ({@code tokenizer.json}, {@code config.json}, weights, ...). Every file is
 * reached through {@link #resolve}, which refuses names that would leave the folder: {@code ..},
 * absolute names, and symbolic links whose target lies outside it (in a snapshot of the Hugging
 * Face cache, outside it and its repository's {@code blobs} folder).
 */
public final class ModelDirectory {

  private final Path root;
  /** Where the folder's symbolic links may lead: the folder, or a hub cache's blobs of its repository. */
  private final Path linkRoot;

  private ModelDirectory(Path root) {
    this.root = root;
    this.linkRoot = hubBlobs(root);
  }

  /**
   * A snapshot of the Hugging Face cache ({@code models--ORG--NAME/snapshots/COMMIT}) holds links
   * to {@code models--ORG--NAME/blobs}; any other folder's links must stay inside it.
   */
  private static Path hubBlobs(Path root) {
    Path snapshots = root.getParent();
    Path repository = snapshots == null ? null : snapshots.getParent();
    boolean snapshot = repository != null && "snapshots".equals(String.valueOf(snapshots.getFileName()))
        && String.valueOf(repository.getFileName()).startsWith("models--");
    return snapshot ? repository.resolve("blobs") : root;
  }

  /**
   * Opens an existing folder.
   *
   * @throws ModelLoadException when {@code location} is not a readable directory
   */
  public static ModelDirectory open(String location) {
    Path path;
    try {
      path = Path.of(location);
    } catch (InvalidPathException e) {
      throw new ModelLoadException("Invalid model location '" + location + "'.", e);
    }
    return open(path);
  }

  /**
   * Opens an existing folder.
   *
   * @throws ModelLoadException when {@code path} is not a readable directory
   */
  public static ModelDirectory open(Path path) {
    if (!Files.isDirectory(path)) {
      throw new ModelLoadException("Model location '" + path + "' is not a directory.");
    }
    try {
      return new ModelDirectory(path.toRealPath());
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read model directory '" + path + "'.", e);
    }
  }

  /** The folder itself (its real path). */
  public Path root() {
    return root;
  }

  /**
   * The path of file {@code name} inside the folder; the file need not exist.
   *
   * @throws ModelLoadException when {@code name} points outside the folder
   */
  public Path resolve(String name) {
    Path relative;
    try {
      relative = Path.of(name);
    } catch (InvalidPathException e) {
      throw outside(name);
    }
    if (name.isEmpty() || relative.isAbsolute()) {
      throw outside(name);
    }
    Path resolved = root.resolve(relative).normalize();
    if (!resolved.startsWith(root) || resolved.equals(root)) {
      throw outside(name);
    }
    // A symbolic link (the file or a folder on the way) may still lead out: check the real path
    // of the deepest part that exists.
    Path existing = resolved;
    while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    try {
      Path real = existing.toRealPath();
      if (!real.startsWith(root) && !real.startsWith(linkRoot)) {
        throw outside(name);
      }
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read '" + name + "' in model directory " + root + ".", e);
    }
    return resolved;
  }

  /** Whether file {@code name} exists (as a regular file) inside the folder. */
  public boolean exists(String name) {
    return Files.isRegularFile(resolve(name));
  }

  /**
   * Reads file {@code name} as text (UTF-8).
   *
   * @throws ModelLoadException when it is missing or unreadable
   */
  public String readString(String name) {
    Path path = resolve(name);
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read '" + name + "' in model directory " + root + ".", e);
    }
  }

  /**
   * Reads file {@code name} as JSON.
   *
   * @throws ModelLoadException when it is missing, unreadable or not JSON
   */
  public JsonNode readJson(String name) {
    String text = readString(name);
    try {
      return Json.mapper().readTree(text);
    } catch (JacksonException e) {
      throw new ModelLoadException("'" + name + "' in model directory " + root + " is not valid JSON.", e);
    }
  }

  private ModelLoadException outside(String name) {
    return new ModelLoadException("File name '" + name + "' points outside the model directory " + root + ".");
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
