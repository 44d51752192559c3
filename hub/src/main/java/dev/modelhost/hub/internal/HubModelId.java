package dev.modelhost.hub.internal;

import dev.modelhost.exception.ModelLoadException;
import java.util.regex.Pattern;

/**
 * A model on the hub: {@code hf:ORG/NAME} (revision {@code main}) or {@code hf:ORG/NAME@REVISION},
 * where the revision is a branch, a tag, {@code refs/pr/N} or a commit hash.
 */
public record HubModelId(String repo, String revision) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  private static final String PREFIX = "hf:";

  public static HubModelId parse(String location) {
    if (!location.startsWith(PREFIX)) {
      throw invalid(location, "it must start with '" + PREFIX + "'");
    }
    String rest = location.substring(PREFIX.length());
    int at = rest.indexOf('@');
    String repo = at < 0 ? rest : rest.substring(0, at);
    String revision = at < 0 ? "main" : rest.substring(at + 1);
    String[] parts = repo.split("/", -1);
    if (parts.length > 2) {
      throw invalid(location, "a model id is ORG/NAME");
    }
    for (String part : parts) {
      if (!NAME.matcher(part).matches() || part.contains("--") || part.contains("..")) {
        throw invalid(location, "'" + part + "' is not a valid name (letters, digits, '-', '_', '.')");
      }
    }
    if (revision.isEmpty() || revision.contains("..") || revision.startsWith("/") || revision.endsWith("/")
        || !revision.chars().allMatch(c -> c > ' ' && c < 127 && c != '\\')) {
      throw invalid(location, "'" + revision + "' is not a valid revision");
    }
    return new HubModelId(repo, revision);
  }

  /** The folder of this repository in the hub cache: {@code models--ORG--NAME}. */
  public String cacheFolder() {
    return "models--" + repo.replace("/", "--");
  }

  /** Whether the revision is already a commit hash. */
  public boolean revisionIsCommit() {
    return COMMIT.matcher(revision).matches();
  }

  @Override
  public String toString() {
    return PREFIX + repo + ("main".equals(revision) ? "" : "@" + revision);
  }

  private static ModelLoadException invalid(String location, String why) {
    return new ModelLoadException("Invalid model id '" + location + "': " + why
        + ". Write hf:ORG/NAME or hf:ORG/NAME@REVISION.");
  }
}
