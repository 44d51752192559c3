package dev.modelhost.internal;

import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelFetcher;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Finds the {@link ModelFetcher} for a service's location: an explicitly added fetcher that handles
 * it first, else the one discovered fetcher that does. Discovery runs on first use, once. Two
 * discovered fetchers that both handle a location is an error that names them.
 */
final class FetcherRegistry {

  private final List<ModelFetcher> explicit;
  private final ClassLoader classLoader;
  private volatile @Nullable List<ModelFetcher> discovered;

  FetcherRegistry(List<ModelFetcher> explicit, ClassLoader classLoader) {
    this.explicit = List.copyOf(explicit);
    this.classLoader = classLoader;
  }

  /** The fetcher for {@code location}, or null when the backend reads it directly. */
  @Nullable ModelFetcher find(String location) {
    for (ModelFetcher fetcher : explicit) {
      if (fetcher.handles(location)) {
        return fetcher;
      }
    }
    List<ModelFetcher> candidates = discovered().stream().filter(f -> f.handles(location)).toList();
    if (candidates.size() > 1) {
      throw new ModelLoadException("Several model fetchers handle '" + location + "': "
          + candidates.stream().map(f -> f.getClass().getName()).sorted().collect(Collectors.joining(", "))
          + ". Remove all but one from the class path, or add the one to use with ModelHostBuilder.fetcher().");
    }
    return candidates.isEmpty() ? null : candidates.get(0);
  }

  private List<ModelFetcher> discovered() {
    List<ModelFetcher> result = discovered;
    if (result == null) {
      synchronized (this) {
        result = discovered;
        if (result == null) {
          result = discover();
          discovered = result;
        }
      }
    }
    return result;
  }

  private List<ModelFetcher> discover() {
    List<ModelFetcher> found = new ArrayList<>();
    try {
      ServiceLoader.load(ModelFetcher.class, classLoader).forEach(found::add);
    } catch (ServiceConfigurationError e) {
      throw new ModelLoadException("Could not load the model fetchers: " + e.getMessage(), e);
    }
    return List.copyOf(found);
  }
}
