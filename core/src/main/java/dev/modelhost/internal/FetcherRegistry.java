package dev.modelhost.internal;

import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelFetcher;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Finds the {@link ModelFetcher} for a service's location: an explicitly added fetcher that handles
 * it first, else the one discovered fetcher that does. Discovery runs on first use, once. Two
 * discovered fetchers that both handle a location is an error that names them.
 */
final class FetcherRegistry {

  private final List<ModelFetcher> explicit;
  private final Discovery<ModelFetcher> discovery;

  FetcherRegistry(List<ModelFetcher> explicit, ClassLoader classLoader) {
    this.explicit = List.copyOf(explicit);
    this.discovery = new Discovery<>(ModelFetcher.class, classLoader, "model fetchers");
  }

  /** The fetcher for {@code location}, or null when the backend reads it directly. */
  @Nullable ModelFetcher find(String location) {
    for (ModelFetcher fetcher : explicit) {
      if (fetcher.handles(location)) {
        return fetcher;
      }
    }
    List<ModelFetcher> candidates = discovery.all().stream().filter(f -> f.handles(location)).toList();
    if (candidates.size() > 1) {
      throw new ModelLoadException("Several model fetchers handle '" + location + "': "
          + candidates.stream().map(f -> f.getClass().getName()).sorted().collect(Collectors.joining(", "))
          + ". Remove all but one from the class path, or add the one to use with ModelHostBuilder.fetcher().");
    }
    return candidates.isEmpty() ? null : candidates.get(0);
  }
}
