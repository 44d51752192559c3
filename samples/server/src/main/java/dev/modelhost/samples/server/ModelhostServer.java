package dev.modelhost.samples.server;

import dev.modelhost.ModelHost;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.spring.ApiKeys;
import dev.modelhost.spring.ModelhostProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * The {@code modelhost-server} command. With no arguments it serves the default model as
 * {@code local/default} on {@code http://127.0.0.1:8080}; {@code --help} lists the flags. Exit
 * status: 0 after {@code --help} or {@code --version}, 1 when the server cannot start, 2 for a
 * command line or configuration it cannot use. The console shows only the banner and errors unless
 * {@code --verbose}; the full log goes to a file.
 */
@SpringBootApplication
public class ModelhostServer {

  /** {@link #launch}'s answer when the server is up and serving. */
  static final int SERVING = -1;

  public static void main(String[] args) {
    int status = launch(args, System.out, System.err);
    if (status != SERVING) {
      System.exit(status);
    }
  }

  /** Runs the command; returns its exit status, or {@link #SERVING} once the server serves. */
  static int launch(String[] args, PrintStream out, PrintStream err) {
    ServerOptions options;
    try {
      CommandLine line = CommandLine.parse(args);
      if (line.has(Flag.HELP)) {
        out.print(Flag.usage());
        return 0;
      }
      if (line.has(Flag.VERSION)) {
        out.println("modelhost-server " + version());
        return 0;
      }
      options = ServerOptions.from(line, ServerOptions::defaultModelDirectory);
    } catch (UsageException e) {
      err.println("modelhost: " + e.getMessage());
      return 2;
    }
    try {
      start(options, out);
      return SERVING;
    } catch (RuntimeException e) {
      UsageException usage = find(e, UsageException.class);
      if (usage != null) {
        err.println("modelhost: " + usage.getMessage());
        return 2;
      }
      err.println(failureLine(e, options));
      if (options.verbose() || LoggerFactory.getLogger(ModelhostServer.class).isDebugEnabled()) {
        e.printStackTrace(err);
      }
      return 1;
    }
  }

  /** Starts the server; returns once every service is running. */
  public static ConfigurableApplicationContext start(String... args) {
    return start(ServerOptions.parse(args, ServerOptions::defaultModelDirectory), System.out);
  }

  static ConfigurableApplicationContext start(ServerOptions options, PrintStream out) {
    SpringApplication application = new SpringApplication(ModelhostServer.class);
    application.setDefaultProperties(options.defaults());
    application.addListeners((ApplicationEnvironmentPreparedEvent event) ->
        refuseServicesFromOtherSources(event.getEnvironment()));
    application.addInitializers(context -> context.getBeanFactory().registerSingleton("modelhostServerOut", out));
    return application.run(options.springArgs().toArray(String[]::new));
  }

  @Bean
  StartupBanner modelhostServerBanner(ApiKeys keys, ModelHost host, ModelhostProperties properties,
      Environment environment, WebServerApplicationContext context, PrintStream modelhostServerOut) {
    // The port is read when the banner runs: asking Tomcat for it before it started adds a connector.
    return new StartupBanner(keys, host, properties, environment, () -> context.getWebServer().getPort(),
        modelhostServerOut);
  }

  /**
   * Spring binds an indexed list from one property source as a whole, so services declared both on
   * the command line and elsewhere (an application.yml, MODELHOST_SERVICES_* variables) would lose
   * the fields of one of them.
   */
  static void refuseServicesFromOtherSources(ConfigurableEnvironment environment) {
    ConfigurationPropertyName services = ConfigurationPropertyName.of(ServerOptions.SERVICES);
    for (PropertySource<?> source : environment.getPropertySources()) {
      if (source.getName().equals(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME)
          || source.getName().equals("configurationProperties")) {
        continue;
      }
      ConfigurationPropertySource properties = ConfigurationPropertySource.from(source);
      if (properties != null
          && properties.containsDescendantOf(services) == ConfigurationPropertyState.PRESENT) {
        throw new UsageException("modelhost.services is also set in " + source.getName()
            + "; Spring takes the list from one place only, so declare the services either there or on"
            + " the command line (flags, --config, --modelhost.services[N]...), not both");
      }
    }
  }

  /** {@code modelhost: cannot serve owner/name: reason}, on one line. */
  static String failureLine(Throwable failure, ServerOptions options) {
    StartupBanner.ServiceFailedException failed = find(failure, StartupBanner.ServiceFailedException.class);
    String services = failed != null ? failed.accessPath() : String.join(", ", options.services());
    Throwable reason = failed != null ? failed : find(failure, ModelhostException.class);
    if (reason == null) {
      reason = find(failure, PortInUseException.class);
    }
    if (reason == null) {
      reason = failure;
      while (reason.getCause() != null) {
        reason = reason.getCause();
      }
    }
    String message = reason.getMessage() == null ? reason.toString() : reason.getMessage();
    return "modelhost: cannot serve " + services + ": " + message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static <T extends Throwable> @Nullable T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  static String version() {
    Properties properties = new Properties();
    try (InputStream in = ModelhostServer.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException("version.properties is missing from the build");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version");
  }
}
