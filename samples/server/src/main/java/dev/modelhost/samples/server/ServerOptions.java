package dev.modelhost.samples.server;

import dev.modelhost.ServiceSpec;
import dev.modelhost.backend.remote.RemoteBackendProvider;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.exception.InvalidRequestException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The server's command line: {@code --model=DIR}, {@code --service=owner/name}, {@code --port=N},
 * {@code --backend=NAME} and {@code --address=HOST}; other arguments go to Spring Boot unchanged.
 * With {@code --backend=remote}, {@code --model} is the upstream base URL, or several separated by
 * commas, each becoming a replica; the upstream key comes from {@code MODELHOST_UPSTREAM_KEY}.
 *
 * @param properties Spring properties the options stand for
 * @param springArgs the arguments left for Spring Boot
 */
record ServerOptions(Map<String, Object> properties, List<String> springArgs) {

  static final String DEFAULT_SERVICE = "local/default";
  static final int DEFAULT_PORT = 8080;
  static final String DEFAULT_ADDRESS = "127.0.0.1";

  ServerOptions {
    properties = Map.copyOf(properties);
    springArgs = List.copyOf(springArgs);
  }

  /** Parses the arguments; without {@code --model} the default model is materialized and served. */
  static ServerOptions parse(String[] args, Supplier<String> defaultModelDirectory) {
    @Nullable String model = null;
    String service = DEFAULT_SERVICE;
    String backend = "onnx";
    String port = Integer.toString(DEFAULT_PORT);
    String address = DEFAULT_ADDRESS;
    List<String> rest = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("--model=")) {
        model = value(arg);
      } else if (arg.startsWith("--service=")) {
        service = value(arg);
      } else if (arg.startsWith("--backend=")) {
        backend = value(arg);
      } else if (arg.startsWith("--port=")) {
        port = value(arg);
      } else if (arg.startsWith("--address=")) {
        address = value(arg);
      } else {
        rest.add(arg);
      }
    }
    String[] ownerAndName = service.split("/", -1);
    if (ownerAndName.length != 2
        || !ServiceSpec.NAME_PATTERN.matcher(ownerAndName[0]).matches()
        || !ServiceSpec.NAME_PATTERN.matcher(ownerAndName[1]).matches()) {
      throw new InvalidRequestException(
          "--service must be owner/name in lowercase letters, digits, '-', '_' or '.', got '" + service + "'.",
          "service");
    }
    try {
      int number = Integer.parseInt(port);
      if (number < 0 || number > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("--port must be a port number (0 picks a free one), got '" + port + "'.",
          "port");
    }
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("server.port", port);
    properties.put("server.address", address);
    properties.put("modelhost.services[0].owner", ownerAndName[0]);
    properties.put("modelhost.services[0].name", ownerAndName[1]);
    properties.put("modelhost.services[0].backend", backend);
    if (backend.equals(RemoteBackendProvider.NAME)) {
      if (model == null || model.isBlank()) {
        throw new InvalidRequestException(
            "--backend=remote needs --model=<upstream base URL[,URL2,...]>, e.g. --model=http://127.0.0.1:8081/v1.",
            "model");
      }
      properties.put("modelhost.services[0].location", model);
      properties.put("modelhost.services[0].replicas", Long.toString(model.chars().filter(c -> c == ',').count() + 1));
      // Resolved by Spring from the environment (or a --MODELHOST_UPSTREAM_KEY= argument); unset: no key sent.
      properties.put("modelhost.services[0].options." + RemoteBackendProvider.API_KEY, "${MODELHOST_UPSTREAM_KEY:}");
    } else {
      properties.put("modelhost.services[0].location", model != null ? model : defaultModelDirectory.get());
    }
    return new ServerOptions(properties, rest);
  }

  /** The default model, copied out of the class path once into the cache folder. */
  static String defaultModelDirectory() {
    return DefaultModel.FORTUNE_LLAMA.directory().toString();
  }

  private static String value(String arg) {
    return arg.substring(arg.indexOf('=') + 1);
  }
}
