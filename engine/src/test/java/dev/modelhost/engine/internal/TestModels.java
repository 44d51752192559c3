package dev.modelhost.engine.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The tokenizer fixtures under {@code src/test/resources/models}. */
public final class TestModels {

  /** A byte-level BPE tokenizer (the project's tiny model's), vocabulary 2048, ChatML tokens. */
  public static final String BYTE_LEVEL = "bytelevel";

  /** A SentencePiece-style BPE with byte fallback, BOS {@code <s>} added to prompts. */
  public static final String SENTENCE_PIECE = "sentencepiece";

  private TestModels() {}

  public static Path path(String name) {
    try {
      return Path.of(TestModels.class.getResource("/models/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Copies fixture {@code name} into {@code target}, which then can be changed freely. */
  public static Path copy(String name, Path target) {
    try (Stream<Path> files = Files.list(path(name))) {
      Files.createDirectories(target);
      for (Path file : files.toList()) {
        Files.copy(file, target.resolve(file.getFileName().toString()));
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
