package dev.modelhost.samples.server;

import dev.modelhost.ModelHost;
import dev.modelhost.ModelService;
import dev.modelhost.ServiceStatus;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.spring.ApiKeys;
import dev.modelhost.spring.ModelhostProperties;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;

/**
 * Registers the configured keys (or generates them), waits until every service runs, then prints
 * what a person needs: the URL, the keys, a curl line that works when pasted into a shell, and
 * where the log is. A service that fails to load ends the start with a {@link ServiceFailedException}.
 */
final class StartupBanner implements ApplicationRunner {

  static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(10);
  static final String API_KEY_VARIABLE = "MODELHOST_API_KEY";
  static final String ADMIN_KEY_VARIABLE = "MODELHOST_ADMIN_KEY";

  /** A service did not reach RUNNING; the message is the reason alone. */
  static final class ServiceFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String accessPath;

    ServiceFailedException(String accessPath, String reason, @Nullable Throwable cause) {
      super(reason, cause);
      this.accessPath = accessPath;
    }

    String accessPath() {
      return accessPath;
    }
  }

  private final ApiKeys keys;
  private final ModelHost host;
  private final ModelhostProperties properties;
  private final Environment environment;
  private final IntSupplier port;
  private final PrintStream out;

  StartupBanner(ApiKeys keys, ModelHost host, ModelhostProperties properties, Environment environment,
      IntSupplier port, PrintStream out) {
    this.keys = keys;
    this.host = host;
    this.properties = properties;
    this.environment = environment;
    this.port = port;
    this.out = out;
  }

  /** An owner's key as the banner shows it: a chosen key is not echoed, a generated one is. */
  private record OwnerKey(String owner, String key, boolean chosen) {
    String shown() {
      return chosen ? "(from " + API_KEY_VARIABLE + ")" : key + "  (generated; set " + API_KEY_VARIABLE + " to choose one)";
    }
  }

  @Override
  public void run(ApplicationArguments args) {
    List<String> paths = new ArrayList<>();
    Map<String, OwnerKey> ownerKeys = new LinkedHashMap<>();
    @Nullable String chosenKey = chosen(API_KEY_VARIABLE);
    for (ModelhostProperties.Service service : properties.getServices()) {
      String owner = String.valueOf(service.getOwner());
      paths.add(owner + "/" + service.getName());
      if (ownerKeys.isEmpty() && chosenKey != null) {
        // The chosen key belongs to the first service's owner; other owners get generated ones.
        keys.register(owner, chosenKey);
        ownerKeys.put(owner, new OwnerKey(owner, chosenKey, true));
      } else if (!ownerKeys.containsKey(owner)) {
        ownerKeys.put(owner, new OwnerKey(owner, keys.create(owner).key(), false));
      }
    }
    @Nullable String adminKey = chosen(ADMIN_KEY_VARIABLE);
    String adminShown;
    if (adminKey != null) {
      keys.registerAdmin(adminKey);
      adminShown = "(from " + ADMIN_KEY_VARIABLE + ")";
    } else {
      adminShown = keys.createAdmin().key() + "  (generated; set " + ADMIN_KEY_VARIABLE + " to choose one)";
    }
    for (String path : paths) {
      awaitRunning(path);
    }
    String baseUrl = baseUrl();
    out.println();
    out.println("Modelhost is serving " + String.join(", ", paths) + " at " + baseUrl + "/v1");
    ownerKeys.values().forEach(key -> out.println("  API key (owner " + key.owner() + "): " + key.shown()));
    out.println("  Admin key: " + adminShown);
    if (environment.getProperty("modelhost.console.enabled", Boolean.class, true)) {
      out.println("  Console: " + baseUrl + "/console (sign in with one of the keys)");
    }
    if (!paths.isEmpty()) {
      OwnerKey first = ownerKeys.values().iterator().next();
      out.println("  Try:");
      out.println("  " + curlLine(baseUrl, paths.get(0), first.chosen() ? "$" + API_KEY_VARIABLE : first.key()));
    }
    boolean quiet = environment.getProperty("logging.threshold.console", "TRACE").equalsIgnoreCase("OFF");
    out.println("  Log: " + environment.getProperty("logging.file.name", "(console)")
        + (quiet ? "  (--verbose shows it here)" : ""));
    out.println();
  }

  /**
   * A curl command for a chat request. The key stands in double quotes, where the shell expands
   * {@code $MODELHOST_API_KEY}; the JSON body in single quotes, where it keeps its double quotes.
   */
  static String curlLine(String baseUrl, String model, String key) {
    return "curl " + baseUrl + "/v1/chat/completions -H \"Authorization: Bearer " + key + "\""
        + " -H 'Content-Type: application/json' -d '{\"model\": \"" + model
        + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Tell me a fortune.\"}]}'";
  }

  private void awaitRunning(String path) {
    try {
      host.awaitRunning(path, STARTUP_TIMEOUT);
    } catch (ModelhostException e) {
      ModelService service = host.describe(path);
      String reason = service.status() == ServiceStatus.FAILED && service.statusReason() != null
          ? service.statusReason()
          : e.getMessage();
      throw new ServiceFailedException(path, reason, e);
    }
  }

  /** The public URL when one is configured, else the bound address (loopback for a wildcard). */
  private String baseUrl() {
    String publicUrl = environment.getProperty("modelhost.public-url");
    if (publicUrl != null && !publicUrl.isBlank()) {
      return publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }
    String address = environment.getProperty("server.address", ServerOptions.DEFAULT_ADDRESS);
    if (address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]")) {
      address = "127.0.0.1";
    } else if (address.contains(":") && !address.startsWith("[")) {
      address = "[" + address + "]";
    }
    return "http://" + address + ":" + port.getAsInt();
  }

  private @Nullable String chosen(String variable) {
    String value = environment.getProperty(variable);
    return value == null || value.isBlank() ? null : value;
  }
}
