package dev.modelhost.internal;

import dev.modelhost.exception.BackendNotFoundException;
import dev.modelhost.spi.BackendProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Finds the backend a service names. Explicitly added providers win; the others are discovered
 * with {@link ServiceLoader} on first use, once. Selection is by {@link BackendProvider#name()}
 * only, never by class-path order: a name that several discovered providers claim is an error that
 * names their classes.
 */
final class BackendRegistry {

  private final Map<String, BackendProvider> explicit;
  private final Discovery<BackendProvider> discovery;

  public BackendRegistry(List<BackendProvider> explicit, ClassLoader classLoader) {
    Map<String, BackendProvider> byName = new LinkedHashMap<>();
    for (BackendProvider provider : explicit) {
      BackendProvider previous = byName.putIfAbsent(provider.name(), provider);
      if (previous != null) {
        throw new IllegalArgumentException("Two backends named '" + provider.name() + "' were added: "
            + previous.getClass().getName() + " and " + provider.getClass().getName());
      }
    }
    this.explicit = Map.copyOf(byName);
    this.discovery = new Discovery<>(BackendProvider.class, classLoader, "backend providers");
  }

  /**
   * The provider named {@code name}.
   *
   * @throws BackendNotFoundException when none or several match, listing what is available
   */
  public BackendProvider get(String name) {
    BackendProvider provider = explicit.get(name);
    if (provider != null) {
      return provider;
    }
    List<BackendProvider> candidates = discovered().getOrDefault(name, List.of());
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    if (candidates.isEmpty()) {
      List<String> names = names();
      throw new BackendNotFoundException("No backend named '" + name + "'. Available backends: "
          + (names.isEmpty() ? "none (add a backend module such as modelhost-backend-onnx to the class path)"
              : String.join(", ", names)) + ".");
    }
    throw new BackendNotFoundException("Several backends are named '" + name + "': "
        + candidates.stream().map(p -> p.getClass().getName()).sorted().collect(Collectors.joining(", "))
        + ". Remove all but one from the class path, or add the one to use with ModelHostBuilder.backend().");
  }

  /** Every available backend name, sorted. */
  public List<String> names() {
    var names = new TreeSet<>(explicit.keySet());
    names.addAll(discovered().keySet());
    return List.copyOf(names);
  }

  private Map<String, List<BackendProvider>> discovered() {
    Map<String, List<BackendProvider>> byName = new TreeMap<>();
    for (BackendProvider provider : discovery.all()) {
      byName.computeIfAbsent(provider.name(), n -> new ArrayList<>()).add(provider);
    }
    return byName;
  }
}
