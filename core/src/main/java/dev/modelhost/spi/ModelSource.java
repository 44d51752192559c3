package dev.modelhost.spi;

import dev.modelhost.exception.ConfigurationException;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a service's model comes from and how to run it. {@code location} is a model directory for
 * local backends and a comma-separated list of base URLs for the remote backend; {@code options}
 * are backend-specific settings (e.g. {@code threads}, {@code device}, {@code api-key}).
 */
public record ModelSource(String location, Map<String, String> options) {

  public ModelSource {
    Objects.requireNonNull(location, "location");
    options = Map.copyOf(options);
  }

  public static ModelSource of(String location) {
    return new ModelSource(location, Map.of());
  }

  public @Nullable String option(String key) {
    return options.get(key);
  }

  public String option(String key, String defaultValue) {
    return options.getOrDefault(key, defaultValue);
  }

  /** An integer option, or the default when absent; a clear error when not a number. */
  public int intOption(String key, int defaultValue) {
    String value = options.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigurationException("Option '" + key + "' must be an integer, got '" + value + "'.",
          "options." + key);
    }
  }

  /** A copy with one more option. */
  public ModelSource withOption(String key, String value) {
    var copy = new java.util.HashMap<>(options);
    copy.put(key, value);
    return new ModelSource(location, copy);
  }

  @Override
  public String toString() {
    // Options may hold secrets (upstream keys): never print their values.
    return "ModelSource[location=" + location + ", options=" + options.keySet() + "]";
  }
}
