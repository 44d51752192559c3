package dev.modelhost;

import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.spi.ModelSource;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What to deploy: a model service named {@code owner/name} (its access path name), served by
 * {@code backend} from {@code source} with {@code replicas} replicas.
 *
 * @param queueCapacity requests that may wait for a replica; beyond it callers get 503
 * @param requestTimeout how long a request may wait in the queue before it is refused
 * @param maxChoices the largest {@code n} a request may ask for
 */
public record ServiceSpec(
    String owner,
    String name,
    String backend,
    ModelSource source,
    @Nullable String modelType,
    int replicas,
    BillingMethod billing,
    int queueCapacity,
    Duration requestTimeout,
    int maxChoices) {

  /** Owner and name: lowercase letters, digits, '-', '_', '.'; starting with a letter or digit. */
  public static final Pattern NAME_PATTERN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  /** The backend of a spec that names none: the in-process ONNX Runtime decoder. */
  public static final String DEFAULT_BACKEND = "onnx";
  public static final int DEFAULT_QUEUE_CAPACITY = 64;
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_CHOICES = 8;
  public static final int MAX_REPLICAS = 64;

  public ServiceSpec {
    checkName("owner", owner);
    checkName("name", name);
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(billing, "billing");
    checkReplicas(replicas);
    if (queueCapacity < 0) {
      throw new ConfigurationException("queue_capacity must be >= 0, got " + queueCapacity, "queue_capacity",
          "invalid_value");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new ConfigurationException("request_timeout must be positive", "request_timeout",
          "invalid_value");
    }
    if (maxChoices < 1) {
      throw new ConfigurationException("max_choices must be >= 1, got " + maxChoices, "max_choices",
          "invalid_value");
    }
  }

  /** The access path name callers put in {@code model}. */
  public String accessPath() {
    return owner + "/" + name;
  }

  static void checkName(String field, @Nullable String value) {
    if (value == null || !NAME_PATTERN.matcher(value).matches()) {
      throw new ConfigurationException(
          "Invalid " + field + " '" + value + "': use 1-63 lowercase letters, digits, '-', '_' or '.',"
              + " starting with a letter or digit.",
          field,
          "invalid_value");
    }
  }

  /** Replica counts a service may have: 0 (parked) to {@link #MAX_REPLICAS}. */
  public static void checkReplicas(int replicas) {
    if (replicas < 0 || replicas > MAX_REPLICAS) {
      throw new ConfigurationException(
          "replicas must be between 0 and " + MAX_REPLICAS + ", got " + replicas, "replicas", "invalid_value");
    }
  }

  public static Builder builder(String owner, String name) {
    return new Builder(owner, name);
  }

  public Builder toBuilder() {
    return new Builder(owner, name)
        .backend(backend)
        .source(source)
        .modelType(modelType)
        .replicas(replicas)
        .billing(billing)
        .queueCapacity(queueCapacity)
        .requestTimeout(requestTimeout)
        .maxChoices(maxChoices);
  }

  public static final class Builder {
    private final String owner;
    private final String name;
    private String backend = DEFAULT_BACKEND;
    private @Nullable ModelSource source;
    private @Nullable String modelType;
    private int replicas = 1;
    private BillingMethod billing = BillingMethod.free();
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private int maxChoices = DEFAULT_MAX_CHOICES;

    private Builder(String owner, String name) {
      this.owner = owner;
      this.name = name;
    }

    public Builder backend(String backend) { this.backend = backend; return this; }
    public Builder source(ModelSource source) { this.source = source; return this; }
    public Builder location(String location) { this.source = ModelSource.of(location); return this; }
    public Builder modelType(@Nullable String modelType) { this.modelType = modelType; return this; }
    public Builder replicas(int replicas) { checkReplicas(replicas); this.replicas = replicas; return this; }
    public Builder billing(BillingMethod billing) { this.billing = billing; return this; }
    public Builder queueCapacity(int queueCapacity) { this.queueCapacity = queueCapacity; return this; }
    public Builder requestTimeout(Duration requestTimeout) { this.requestTimeout = requestTimeout; return this; }
    public Builder maxChoices(int maxChoices) { this.maxChoices = maxChoices; return this; }

    public ServiceSpec build() {
      if (source == null) {
        throw new ConfigurationException("A model source (location) is required.", "source",
            "missing_required_parameter");
      }
      return new ServiceSpec(owner, name, backend, source, modelType, replicas, billing,
          queueCapacity, requestTimeout, maxChoices);
    }
  }
}
