package dev.modelhost.samples.server;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The server's flags, in the order {@code --help} lists them. A flag with a {@link #value()} takes
 * one, as {@code --flag=VALUE} or {@code --flag VALUE}; the others are switches.
 */
enum Flag {
  MODEL("model", "DIR|hf:ORG/NAME|URL[,URL...]",
      "model to serve: a folder, a hub model id, or upstream base URLs for --backend=remote",
      "--model=/models/qwen2.5-0.5b-onnx"),
  SERVICE("service", "OWNER/NAME", "name callers use as \"model\" (default local/default)",
      "--service=team/qwen"),
  BACKEND("backend", "NAME", "backend that runs the model: onnx (default), djl or remote",
      "--backend=remote"),
  REPLICAS("replicas", "N", "replicas of the service (default 1; remote: one per upstream URL)",
      "--replicas=4"),
  OPTION("option", "KEY=VALUE", "a backend option; repeat for several",
      "--option threads=4 --option upstream-model=local/default"),
  CONFIG("config", "FILE", "services, keys and settings from a YAML or JSON file (see README)",
      "--config=modelhost.yml"),
  PORT("port", "N", "HTTP port (default 8080; 0 picks a free one)", "--port=9000"),
  HOST("host", "ADDRESS", "address to bind (default 127.0.0.1; 0.0.0.0 for every interface)",
      "--host=0.0.0.0"),
  PUBLIC_URL("public-url", "URL", "base URL callers reach the server at, used in call examples",
      "--public-url=https://llm.example.com"),
  DATA_DIR("data-dir", "DIR", "folder where the server keeps its data (modelhost.store.data-dir)",
      "--data-dir=/var/lib/modelhost"),
  DATABASE_URL("database-url", "JDBC-URL",
      "keep services, keys and usage in this database (see MODELHOST_DATABASE_* below)",
      "--database-url=jdbc:postgresql://127.0.0.1:5432/modelhost"),
  NO_CONSOLE("no-console", null, "do not serve the web console", "--no-console"),
  LOG_FILE("log-file", "FILE", "where the full log goes (default modelhost-server.log in the temp folder)",
      "--log-file=/var/log/modelhost.log"),
  VERBOSE("verbose", null, "show the full log and stack traces on the console", "--verbose"),
  VERSION("version", null, "print the version and exit", "--version"),
  HELP("help", null, "print this help and exit (also -h)", "--help");

  private final String name;
  private final @Nullable String value;
  private final String description;
  private final String example;

  Flag(String name, @Nullable String value, String description, String example) {
    this.name = name;
    this.value = value;
    this.description = description;
    this.example = example;
  }

  /** The flag as typed, e.g. {@code --port}. */
  String spelling() {
    return "--" + name;
  }

  /** The placeholder of the flag's value; null for a switch. */
  @Nullable String value() {
    return value;
  }

  boolean takesValue() {
    return value != null;
  }

  String description() {
    return description;
  }

  String example() {
    return example;
  }

  static Optional<Flag> named(String name) {
    return Arrays.stream(values()).filter(flag -> flag.name.equals(name)).findFirst();
  }

  /** The flag whose name is closest to {@code name} (fewest single-character edits). */
  static Flag closestTo(String name) {
    return Arrays.stream(values())
        .min(Comparator.comparingInt(flag -> editDistance(flag.name, name)))
        .orElseThrow();
  }

  /** Levenshtein distance. */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** The text {@code --help} prints. */
  static String usage() {
    StringBuilder text = new StringBuilder()
        .append("Usage: java -jar modelhost-server.jar [FLAGS] [--SPRING.PROPERTY=VALUE ...]\n\n")
        .append("Serves models as OpenAI-compatible services. Without flags: the built-in default model\n")
        .append("as local/default on http://127.0.0.1:8080.\n\nFlags:\n");
    for (Flag flag : values()) {
      String head = flag.spelling() + (flag == OPTION ? " " : flag.takesValue() ? "=" : "") + (flag.takesValue() ? flag.value : "");
      text.append(String.format("  %-28s %s%n", head, flag.description));
      text.append(String.format("  %-28s   e.g. %s%n", "", flag.example));
    }
    return text.append("""

        Environment:
          MODELHOST_API_KEY        key of the (first) service's owner; generated and shown when unset
          MODELHOST_ADMIN_KEY      admin key; generated and shown when unset
          MODELHOST_UPSTREAM_KEY   key sent to upstream servers by --backend=remote
          MODELHOST_DATABASE_USER, MODELHOST_DATABASE_PASSWORD   credentials for --database-url

        Flags override --config for settings, and for the service when the file declares one;
        when it declares several, service flags are refused. Any Spring property may follow as
        --name=value (e.g. --modelhost.services[0].queue-capacity=64); one that sets the same
        field as a flag is refused.
        """).toString();
  }
}
