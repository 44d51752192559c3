package dev.modelhost.hub;

import dev.modelhost.PullProgress;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.hub.internal.HubModelId;
import dev.modelhost.hub.internal.ModelPull;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ModelFetcher;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Serves locations of the form {@code hf:ORG/NAME} or {@code hf:ORG/NAME@REVISION} from a Hugging
 * Face-compatible hub: the revision is resolved to a commit, the files the backend chooses are
 * downloaded into the hub's cache layout (or found there), and the snapshot folder is loaded.
 * Registered for {@link java.util.ServiceLoader}; the no-argument form reads its
 * {@link HubSettings} from the environment when it first fetches.
 */
public final class HubModelFetcher implements ModelFetcher {

  /** The prefix of the locations this fetcher handles. */
  public static final String SCHEME = "hf:";

  private final Supplier<HubSettings> settingsSource;
  private volatile @Nullable HubSettings settings;

  /** A fetcher configured from the environment ({@link HubSettings#fromEnvironment()}). */
  public HubModelFetcher() {
    this.settingsSource = HubSettings::fromEnvironment;
  }

  public HubModelFetcher(HubSettings settings) {
    Objects.requireNonNull(settings, "settings");
    this.settingsSource = () -> settings;
  }

  @Override
  public boolean handles(String location) {
    return location.startsWith(SCHEME);
  }

  @Override
  public Path fetch(String location, FileChooser chooser, Consumer<PullProgress> progress,
      Cancellation cancellation) {
    HubModelId id = HubModelId.parse(location);
    return new ModelPull(settings(), id, chooser, progress, cancellation).run();
  }

  private HubSettings settings() {
    HubSettings current = settings;
    if (current == null) {
      try {
        current = settingsSource.get();
      } catch (IllegalArgumentException e) {
        throw new ModelLoadException("The hub settings from the environment cannot be used: " + e.getMessage(), e);
      }
      settings = current;
    }
    return current;
  }
}
