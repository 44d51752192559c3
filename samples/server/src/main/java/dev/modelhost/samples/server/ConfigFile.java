package dev.modelhost.samples.server;

import dev.modelhost.api.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import tools.jackson.core.JacksonException;

/**
 * A {@code --config} file: YAML, or JSON when its name ends in {@code .json}, shaped like the
 * {@code modelhost.*} properties of an {@code application.yml}. The document either has a top-level
 * {@code modelhost} key (then other top-level keys such as {@code server} are Spring properties
 * too), or is the part below {@code modelhost} on its own.
 */
final class ConfigFile {

  private ConfigFile() {}

  /** The file as flat Spring properties, e.g. {@code modelhost.services[0].name}. */
  static Map<String, String> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UsageException("--config file " + file + " does not exist");
    } catch (IOException e) {
      throw new UsageException("cannot read --config file " + file + ": " + e.getMessage());
    }
    Object document = parse(file, text);
    if (!(document instanceof Map<?, ?> root)) {
      throw new UsageException("--config file " + file + " must hold a mapping such as 'modelhost: {services: [...]}'");
    }
    Map<String, String> properties = new LinkedHashMap<>();
    if (root.containsKey("modelhost")) {
      flatten("", root, properties);
    } else {
      flatten("modelhost", root, properties);
    }
    return properties;
  }

  private static @Nullable Object parse(Path file, String text) {
    boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    try {
      return json
          ? Json.mapper().readValue(text, Object.class)
          : new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (JacksonException | YAMLException e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new UsageException("--config file " + file + " is not valid " + (json ? "JSON" : "YAML") + ": " + reason);
    }
  }

  private static void flatten(String prefix, @Nullable Object value, Map<String, String> out) {
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String key = String.valueOf(entry.getKey());
        flatten(prefix.isEmpty() ? key : prefix + "." + key, entry.getValue(), out);
      }
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        flatten(prefix + "[" + i + "]", list.get(i), out);
      }
    } else {
      out.put(prefix, value == null ? "" : String.valueOf(value));
    }
  }
}
