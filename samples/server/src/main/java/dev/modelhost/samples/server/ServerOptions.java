package dev.modelhost.samples.server;

import dev.modelhost.ServiceSpec;
import dev.modelhost.backend.remote.RemoteBackendProvider;
import dev.modelhost.defaultmodel.DefaultModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * What the server is asked to serve, as Spring properties in two layers.
 *
 * <p>{@code properties} hold everything given on the command line: the {@code --config} file,
 * then the flags over it, then raw Spring properties merged in. They go to Spring as one
 * command-line property source, so the whole {@code modelhost.services} list comes from one place
 * (Spring takes an indexed list from a single source and would otherwise drop the fields set
 * elsewhere). The first service's defaults ({@code local/default}, the default model) are filled in
 * there as well, only for the fields nothing else set. A raw property that sets the same field as a
 * flag is refused. {@code defaults} are the settings any other source (environment, files) may
 * override: port, address, log file and console quietness.
 *
 * @param services the services' access paths ({@code owner/name}), for messages
 */
record ServerOptions(
    Map<String, String> properties, Map<String, Object> defaults, List<String> services, boolean verbose) {

  static final String DEFAULT_SERVICE = "local/default";
  static final int DEFAULT_PORT = 8080;
  static final String DEFAULT_ADDRESS = "127.0.0.1";
  static final String UPSTREAM_KEY_VARIABLE = "MODELHOST_UPSTREAM_KEY";

  static final String SERVICES = "modelhost.services";
  private static final String FIRST = SERVICES + "[0].";
  private static final Pattern SERVICE_INDEX = Pattern.compile("^modelhost\\.services\\[(\\d+)]");
  private static final List<Flag> SERVICE_FLAGS =
      List.of(Flag.MODEL, Flag.SERVICE, Flag.BACKEND, Flag.REPLICAS, Flag.OPTION);

  ServerOptions {
    properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    defaults = Map.copyOf(defaults);
    services = List.copyOf(services);
  }

  /** Parses the arguments; without a model the default model is materialized and served. */
  static ServerOptions parse(String[] args, Supplier<String> defaultModelDirectory) {
    return from(CommandLine.parse(args), defaultModelDirectory);
  }

  static ServerOptions from(CommandLine line, Supplier<String> defaultModelDirectory) {
    Map<String, String> properties = new LinkedHashMap<>();
    @Nullable String config = line.value(Flag.CONFIG);
    if (config != null) {
      properties.putAll(ConfigFile.read(Path.of(config)));
    }
    int declared = serviceCount(properties.keySet());
    if (declared > 1) {
      for (Flag flag : SERVICE_FLAGS) {
        if (line.has(flag)) {
          throw new UsageException(flag.spelling() + " cannot be used with --config=" + config + ": the file declares "
              + declared + " services and the flag would not say which one it changes; set it in the file");
        }
      }
    }
    Map<ConfigurationPropertyName, Flag> setByFlags = new HashMap<>();
    Layer flags = new Layer(properties, setByFlags);
    flags.put(Flag.PORT, "server.port", line.value(Flag.PORT));
    flags.put(Flag.HOST, "server.address", line.value(Flag.HOST));
    flags.put(Flag.PUBLIC_URL, "modelhost.public-url", line.value(Flag.PUBLIC_URL));
    flags.put(Flag.DATA_DIR, "modelhost.store.data-dir", line.value(Flag.DATA_DIR));
    flags.put(Flag.DATABASE_URL, "modelhost.store.url", line.value(Flag.DATABASE_URL));
    flags.put(Flag.DATABASE_URL, "modelhost.store.type", line.has(Flag.DATABASE_URL) ? "jdbc" : null);
    flags.put(Flag.NO_CONSOLE, "modelhost.console.enabled", line.has(Flag.NO_CONSOLE) ? "false" : null);
    flags.put(Flag.LOG_FILE, "logging.file.name", line.value(Flag.LOG_FILE));
    boolean verbose = line.has(Flag.VERBOSE);
    flags.put(Flag.VERBOSE, "logging.threshold.console", verbose ? "TRACE" : null);
    @Nullable String service = line.value(Flag.SERVICE);
    if (service != null) {
      flags.put(Flag.SERVICE, FIRST + "owner", service.substring(0, service.indexOf('/')));
      flags.put(Flag.SERVICE, FIRST + "name", service.substring(service.indexOf('/') + 1));
    }
    flags.put(Flag.BACKEND, FIRST + "backend", line.value(Flag.BACKEND));
    flags.put(Flag.MODEL, FIRST + "location", line.value(Flag.MODEL));
    flags.put(Flag.REPLICAS, FIRST + "replicas", line.value(Flag.REPLICAS));
    line.options().forEach((key, value) -> flags.put(Flag.OPTION, FIRST + "options." + key, value));

    for (Map.Entry<String, String> raw : line.properties().entrySet()) {
      Flag flag = setByFlags.get(ConfigurationPropertyName.adapt(raw.getKey(), '.'));
      if (flag != null) {
        throw new UsageException("--" + raw.getKey() + " and " + flag.spelling()
            + " both set the same field; give only one of them");
      }
      properties.put(raw.getKey(), raw.getValue());
    }
    if (declared == 0) {
      fillFirstServiceDefaults(properties, line, defaultModelDirectory);
    }
    if (RemoteBackendProvider.NAME.equals(find(properties, FIRST + "backend"))
        && find(properties, FIRST + "options." + RemoteBackendProvider.API_KEY) == null) {
      // Resolved by Spring from the environment; unset: no key is sent.
      properties.put(FIRST + "options." + RemoteBackendProvider.API_KEY, "${" + UPSTREAM_KEY_VARIABLE + ":}");
    }

    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put("server.port", Integer.toString(DEFAULT_PORT));
    defaults.put("server.address", DEFAULT_ADDRESS);
    defaults.put("logging.file.name", Path.of(System.getProperty("java.io.tmpdir"), "modelhost-server.log").toString());
    defaults.put("logging.threshold.console", "OFF");
    return new ServerOptions(properties, defaults, accessPaths(properties), verbose);
  }

  /** The first service's fields that neither flags nor raw properties set. */
  private static void fillFirstServiceDefaults(
      Map<String, String> properties, CommandLine line, Supplier<String> defaultModelDirectory) {
    String owner = DEFAULT_SERVICE.substring(0, DEFAULT_SERVICE.indexOf('/'));
    String name = DEFAULT_SERVICE.substring(DEFAULT_SERVICE.indexOf('/') + 1);
    putIfUnset(properties, FIRST + "owner", owner);
    putIfUnset(properties, FIRST + "name", name);
    putIfUnset(properties, FIRST + "backend", ServiceSpec.DEFAULT_BACKEND);
    boolean remote = RemoteBackendProvider.NAME.equals(find(properties, FIRST + "backend"));
    @Nullable String location = find(properties, FIRST + "location");
    if (remote) {
      if (location == null || location.isBlank()) {
        throw new UsageException("--backend=remote needs --model=<upstream base URL[,URL2,...]>,"
            + " e.g. --model=http://127.0.0.1:8081/v1");
      }
      if (line.has(Flag.MODEL) && find(properties, FIRST + "replicas") == null) {
        putIfUnset(properties, FIRST + "replicas", Long.toString(location.chars().filter(c -> c == ',').count() + 1));
      }
    } else if (location == null) {
      properties.put(FIRST + "location", defaultModelDirectory.get());
    }
  }

  /** The server's properties as Spring command-line arguments. */
  List<String> springArgs() {
    List<String> args = new ArrayList<>();
    properties.forEach((key, value) -> args.add("--" + key + "=" + value));
    return args;
  }

  /** The default model, copied out of the class path once into the cache folder. */
  static String defaultModelDirectory() {
    return DefaultModel.FORTUNE_LLAMA.directory().toString();
  }

  /** Number of entries of the services list these property names declare. */
  static int serviceCount(Iterable<String> names) {
    int count = 0;
    for (String name : names) {
      Matcher matcher = SERVICE_INDEX.matcher(name);
      if (matcher.find()) {
        count = Math.max(count, Integer.parseInt(matcher.group(1)) + 1);
      }
    }
    return count;
  }

  private static List<String> accessPaths(Map<String, String> properties) {
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < serviceCount(properties.keySet()); i++) {
      String prefix = SERVICES + "[" + i + "].";
      paths.add(find(properties, prefix + "owner") + "/" + find(properties, prefix + "name"));
    }
    return paths;
  }

  /** The value of a property under any spelling Spring binds to the same name. */
  private static @Nullable String find(Map<String, String> properties, String name) {
    ConfigurationPropertyName wanted = ConfigurationPropertyName.adapt(name, '.');
    String found = null;
    for (Map.Entry<String, String> entry : properties.entrySet()) {
      if (ConfigurationPropertyName.adapt(entry.getKey(), '.').equals(wanted)) {
        found = entry.getValue();
      }
    }
    return found;
  }

  private static void putIfUnset(Map<String, String> properties, String name, String value) {
    if (find(properties, name) == null) {
      properties.put(name, value);
    }
  }

  /** Puts flag values over the file's, remembering which flag set each property. */
  private record Layer(Map<String, String> properties, Map<ConfigurationPropertyName, Flag> setBy) {
    void put(Flag flag, String name, @Nullable String value) {
      if (value == null) {
        return;
      }
      ConfigurationPropertyName canonical = ConfigurationPropertyName.adapt(name, '.');
      properties.keySet().removeIf(key -> ConfigurationPropertyName.adapt(key, '.').equals(canonical));
      properties.put(name, value);
      setBy.put(canonical, flag);
    }
  }
}
