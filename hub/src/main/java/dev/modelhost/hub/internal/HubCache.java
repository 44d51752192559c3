package dev.modelhost.hub.internal;

import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One repository's part of the hub cache, in the layout Hugging Face's tools use, so that either
 * side finds what the other downloaded:
 *
 * <pre>
 * models--ORG--NAME/
 *   refs/REVISION                  the commit the revision pointed at when last resolved
 *   blobs/ETAG                     each file's content once, named by its ETag (sha256 for LFS files)
 *   blobs/ETAG.incomplete          a transfer under way, resumed from its length
 *   snapshots/COMMIT/PATH          relative symbolic links to the blobs
 * .locks/models--ORG--NAME/ETAG.lock
 * </pre>
 */
final class HubCache {

  private final Path repoDir;
  private final Path lockDir;

  HubCache(Path cacheDir, HubModelId id) {
    this.repoDir = cacheDir.resolve(id.cacheFolder());
    this.lockDir = cacheDir.resolve(".locks").resolve(id.cacheFolder());
  }

  Path snapshot(String commit) {
    return repoDir.resolve("snapshots").resolve(commit);
  }

  /** The file of {@code path} in a snapshot; it exists once the file was complete. */
  Path snapshotFile(String commit, String path) {
    return snapshot(commit).resolve(path);
  }

  Path blob(String etag) {
    return repoDir.resolve("blobs").resolve(etag);
  }

  Path incomplete(String etag) {
    return repoDir.resolve("blobs").resolve(etag + ".incomplete");
  }

  Path lock(String etag) {
    return lockDir.resolve(etag + ".lock");
  }

  /** The commit a revision pointed at when it was last resolved, if the cache has it. */
  Optional<String> commitOf(HubModelId id) {
    if (id.revisionIsCommit()) {
      return Optional.of(id.revision());
    }
    Path ref = repoDir.resolve("refs").resolve(id.revision());
    try {
      return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref, StandardCharsets.UTF_8).trim())
          : Optional.empty();
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read the cached reference '" + ref + "': " + e.getMessage(), e);
    }
  }

  /** Records the commit a revision points at, as the hub said. */
  void recordRef(HubModelId id, String commit) throws IOException {
    if (id.revisionIsCommit()) {
      return;
    }
    Path ref = repoDir.resolve("refs").resolve(id.revision());
    if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).trim().equals(commit)) {
      return;
    }
    Files.createDirectories(ref.getParent());
    Path temporary = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
    Files.writeString(temporary, commit, StandardCharsets.UTF_8);
    Files.move(temporary, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Points the snapshot's {@code path} at a complete blob with a relative link, or copies the blob
   * where the file system has no symbolic links.
   */
  void link(String commit, String path, String etag) throws IOException {
    Path file = snapshotFile(commit, path);
    Files.createDirectories(file.getParent());
    Path target = file.getParent().relativize(blob(etag));
    try {
      Files.createSymbolicLink(file, target);
    } catch (FileAlreadyExistsException e) {
      if (!Files.exists(file)) {
        // A link to a blob that is gone: point it again.
        Files.delete(file);
        Files.createSymbolicLink(file, target);
      }
    } catch (UnsupportedOperationException e) {
      Files.copy(blob(etag), file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Every file in a cached snapshot, as repository paths. */
  List<String> snapshotFiles(String commit) {
    Path root = snapshot(commit);
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<String> paths = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(Files::isRegularFile)
          .forEach(f -> paths.add(root.relativize(f).toString().replace(root.getFileSystem().getSeparator(), "/")));
    } catch (IOException | UncheckedIOException e) {
      throw new ModelLoadException("Cannot list the cached snapshot '" + root + "': " + e.getMessage(), e);
    }
    paths.sort(null);
    return paths;
  }
}
