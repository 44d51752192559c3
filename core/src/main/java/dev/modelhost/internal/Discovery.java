package dev.modelhost.internal;

import dev.modelhost.exception.ModelLoadException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;

/** The implementations of one SPI on a class loader, found with {@link ServiceLoader} on first use, once. */
final class Discovery<T> {

  private final Class<T> type;
  private final ClassLoader classLoader;
  private final String what;
  private volatile @Nullable List<T> found;

  /** @param what the implementations, for an error message (e.g. "backend providers") */
  Discovery(Class<T> type, ClassLoader classLoader, String what) {
    this.type = type;
    this.classLoader = classLoader;
    this.what = what;
  }

  List<T> all() {
    List<T> result = found;
    if (result == null) {
      synchronized (this) {
        result = found;
        if (result == null) {
          result = load();
          found = result;
        }
      }
    }
    return result;
  }

  private List<T> load() {
    List<T> loaded = new ArrayList<>();
    try {
      ServiceLoader.load(type, classLoader).forEach(loaded::add);
    } catch (ServiceConfigurationError e) {
      throw new ModelLoadException("Could not load the " + what + ": " + e.getMessage(), e);
    }
    return List.copyOf(loaded);
  }
}
