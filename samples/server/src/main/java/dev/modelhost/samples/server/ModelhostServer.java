package dev.modelhost.samples.server;

import dev.modelhost.ModelHost;
import dev.modelhost.spring.ApiKeys;
import dev.modelhost.spring.ModelhostProperties;
import java.io.PrintStream;
import java.time.Duration;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Serves one model as an OpenAI-compatible service. With no arguments: the default model as
 * {@code local/default} on {@code http://127.0.0.1:8080}. API keys come from
 * {@code MODELHOST_API_KEY} (the service owner's key) and {@code MODELHOST_ADMIN_KEY}; when unset
 * they are generated and printed once.
 */
@SpringBootApplication
public class ModelhostServer {

  static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(10);

  public static void main(String[] args) {
    start(args);
  }

  /** Starts the server; returns once the service is running. */
  public static ConfigurableApplicationContext start(String... args) {
    ServerOptions options = ServerOptions.parse(args, ServerOptions::defaultModelDirectory);
    SpringApplication application = new SpringApplication(ModelhostServer.class);
    application.setDefaultProperties(options.properties());
    return application.run(options.springArgs().toArray(String[]::new));
  }

  @Bean
  ApplicationRunner modelhostServerKeys(ApiKeys keys, ModelHost host, ModelhostProperties properties,
      Environment environment, WebServerApplicationContext context) {
    return args -> {
      ModelhostProperties.Service service = properties.getServices().get(0);
      String accessPath = service.getOwner() + "/" + service.getName();
      PrintStream out = System.out;
      String apiKey = environment.getProperty("MODELHOST_API_KEY");
      String apiKeySource = "from MODELHOST_API_KEY";
      if (apiKey == null || apiKey.isBlank()) {
        apiKey = keys.create(service.getOwner()).key();
        apiKeySource = "generated; set MODELHOST_API_KEY to choose one";
      } else {
        keys.register(service.getOwner(), apiKey);
      }
      String adminKey = environment.getProperty("MODELHOST_ADMIN_KEY");
      String adminKeySource = "from MODELHOST_ADMIN_KEY";
      if (adminKey == null || adminKey.isBlank()) {
        adminKey = keys.createAdmin().key();
        adminKeySource = "generated; set MODELHOST_ADMIN_KEY to choose one";
      } else {
        keys.registerAdmin(adminKey);
      }
      host.awaitRunning(accessPath, STARTUP_TIMEOUT);
      String address = environment.getProperty("server.address", ServerOptions.DEFAULT_ADDRESS);
      String baseUrl = "http://" + address + ":" + context.getWebServer().getPort();
      out.println();
      out.println("Modelhost is serving " + accessPath + " at " + baseUrl + "/v1");
      out.println("  API key (owner " + service.getOwner() + "): " + shown(apiKey, apiKeySource));
      out.println("  Admin key: " + shown(adminKey, adminKeySource));
      if (environment.getProperty("modelhost.console.enabled", Boolean.class, true)) {
        out.println("  Console: " + baseUrl + "/console (sign in with one of the keys)");
      }
      out.println("  Try:");
      out.println("  curl " + baseUrl + "/v1/chat/completions -H 'Content-Type: application/json' -H 'Authorization: Bearer "
          + (apiKeySource.startsWith("from") ? "$MODELHOST_API_KEY" : apiKey) + "' -d '{\"model\": \"" + accessPath
          + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Tell me a fortune.\"}]}'");
      out.println();
    };
  }

  private static String shown(String key, String source) {
    // Keys the operator chose are not echoed; generated ones are shown this once.
    return source.startsWith("from") ? "(" + source + ")" : key + "  (" + source + ")";
  }
}
