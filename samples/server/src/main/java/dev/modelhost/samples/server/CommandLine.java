package dev.modelhost.samples.server;

import dev.modelhost.ServiceSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The arguments as typed, checked one by one: known flags with valid values, backend options, and
 * Spring properties ({@code --name.with.dots=value}, or an environment-style {@code --UPPER_CASE=value}).
 * Anything else is a {@link UsageException} naming the closest flag.
 *
 * @param flags the flags given, with their values ({@code ""} for switches; not {@link Flag#OPTION})
 * @param options the {@code --option KEY=VALUE} pairs in order
 * @param properties the Spring properties in order
 */
record CommandLine(Map<Flag, String> flags, Map<String, String> options, Map<String, String> properties) {

  private static final Pattern OPTION_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
  private static final Pattern ENVIRONMENT_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
  private static final Pattern BACKEND_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  CommandLine {
    flags = Map.copyOf(flags);
    options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
  }

  boolean has(Flag flag) {
    return flags.containsKey(flag) || (flag == Flag.OPTION && !options.isEmpty());
  }

  @Nullable String value(Flag flag) {
    return flags.get(flag);
  }

  static CommandLine parse(String... args) {
    Map<Flag, String> flags = new EnumMap<>(Flag.class);
    Map<String, String> options = new LinkedHashMap<>();
    Map<String, String> properties = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h")) {
        flags.put(Flag.HELP, "");
        continue;
      }
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new UsageException("unexpected argument '" + arg + "'; flags start with --, e.g. "
            + Flag.MODEL.example() + " (see --help)");
      }
      int equals = arg.indexOf('=');
      String name = arg.substring(2, equals < 0 ? arg.length() : equals);
      @Nullable String inline = equals < 0 ? null : arg.substring(equals + 1);
      var flag = Flag.named(name);
      if (flag.isEmpty()) {
        if (!isPropertyName(name)) {
          throw new UsageException("unknown flag --" + name + "; did you mean "
              + Flag.closestTo(name).spelling() + "? (see --help)");
        }
        if (inline == null) {
          throw new UsageException("--" + name + " needs a value: --" + name + "=VALUE");
        }
        properties.put(name, inline);
        continue;
      }
      Flag known = flag.get();
      String value;
      if (!known.takesValue()) {
        if (inline != null) {
          throw new UsageException(known.spelling() + " takes no value, e.g. " + known.example());
        }
        value = "";
      } else if (inline != null) {
        value = inline;
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        value = args[++i];
      } else {
        throw new UsageException(known.spelling() + " needs a value, e.g. " + known.example());
      }
      if (known == Flag.OPTION) {
        addOption(options, value);
      } else if (flags.put(known, check(known, value)) != null) {
        throw new UsageException(known.spelling() + " is given twice; give it once");
      }
    }
    return new CommandLine(flags, options, properties);
  }

  /** Spring property names have dots; environment-style ones are upper case (MODELHOST_API_KEY). */
  private static boolean isPropertyName(String name) {
    return name.contains(".") || ENVIRONMENT_NAME.matcher(name).matches();
  }

  private static void addOption(Map<String, String> options, String pair) {
    int equals = pair.indexOf('=');
    String key = equals < 0 ? pair : pair.substring(0, equals);
    if (equals < 0 || !OPTION_KEY.matcher(key).matches()) {
      throw new UsageException("--option needs KEY=VALUE with a key of letters, digits, '-' or '_', got '"
          + pair + "', e.g. " + Flag.OPTION.example());
    }
    if (options.put(key, pair.substring(equals + 1)) != null) {
      throw new UsageException("--option " + key + " is given twice; give it once");
    }
  }

  private static String check(Flag flag, String value) {
    switch (flag) {
      case MODEL, CONFIG, DATA_DIR, LOG_FILE, HOST -> {
        if (value.isBlank()) {
          throw new UsageException(flag.spelling() + " needs a value, e.g. " + flag.example());
        }
      }
      case SERVICE -> {
        String[] ownerAndName = value.split("/", -1);
        if (ownerAndName.length != 2
            || !ServiceSpec.NAME_PATTERN.matcher(ownerAndName[0]).matches()
            || !ServiceSpec.NAME_PATTERN.matcher(ownerAndName[1]).matches()) {
          throw new UsageException("--service must be OWNER/NAME in lowercase letters, digits, '-', '_' or '.',"
              + " got '" + value + "', e.g. " + flag.example());
        }
      }
      case BACKEND -> {
        if (!BACKEND_NAME.matcher(value).matches()) {
          throw new UsageException("--backend must be a backend name such as onnx, djl or remote, got '"
              + value + "'");
        }
      }
      case PORT -> integer(flag, value, 0, 65535, "a port number (0 picks a free one)");
      case REPLICAS -> integer(flag, value, 1, Integer.MAX_VALUE, "a whole number of at least 1");
      case PUBLIC_URL -> httpUrl(flag, value);
      case DATABASE_URL -> {
        if (!value.startsWith("jdbc:")) {
          throw new UsageException("--database-url must be a JDBC URL, got '" + value + "', e.g. "
              + flag.example());
        }
      }
      default -> {
        // Switches and free-form values need no check.
      }
    }
    return value;
  }

  private static void integer(Flag flag, String value, int min, int max, String what) {
    try {
      int number = Integer.parseInt(value.trim());
      if (number >= min && number <= max) {
        return;
      }
    } catch (NumberFormatException e) {
      // Reported below with the same message as a number out of range.
    }
    throw new UsageException(flag.spelling() + " must be " + what + ", got '" + value + "'");
  }

  private static void httpUrl(Flag flag, String value) {
    try {
      URI uri = new URI(value);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return;
      }
    } catch (URISyntaxException e) {
      // Reported below.
    }
    throw new UsageException(flag.spelling() + " must be an http:// or https:// URL, got '" + value
        + "', e.g. " + flag.example());
  }
}
