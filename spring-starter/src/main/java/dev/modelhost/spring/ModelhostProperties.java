package dev.modelhost.spring;

import dev.modelhost.BillingMethod;
import dev.modelhost.ServiceSpec;
import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.spi.ModelSource;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** Settings under {@code modelhost.*}: services to deploy at start, API keys and request limits. */
@ConfigurationProperties("modelhost")
public class ModelhostProperties {

  /** Model services deployed when the application starts. */
  private List<Service> services = new ArrayList<>();

  /** API keys. */
  private final Security security = new Security();

  /** Request limits. */
  private final Limits limits = new Limits();

  /** Where services, API keys and usage are kept. */
  private final Store store = new Store();

  /**
   * Base URL that clients use to reach this server, for the call examples of the management API
   * (e.g. {@code https://models.example.com}); when unset, the address and port the request was
   * accepted on. The request's {@code Host} header is never used.
   */
  private @Nullable String publicUrl;

  public List<Service> getServices() {
    return services;
  }

  public void setServices(List<Service> services) {
    this.services = services;
  }

  public Security getSecurity() {
    return security;
  }

  public Limits getLimits() {
    return limits;
  }

  public Store getStore() {
    return store;
  }

  public @Nullable String getPublicUrl() {
    return publicUrl;
  }

  public void setPublicUrl(@Nullable String publicUrl) {
    this.publicUrl = publicUrl;
  }

  /** One model service. */
  public static class Service {

    /** Owner namespace; with the name it forms the access path name {@code owner/name}. */
    private @Nullable String owner;

    /** Service name. */
    private @Nullable String name;

    /** Backend that serves the model ({@code onnx}, {@code djl}, {@code remote}). */
    private String backend = ServiceSpec.DEFAULT_BACKEND;

    /** Model directory for local backends; comma-separated base URLs for the remote backend. */
    private @Nullable String location;

    /** Model architecture shown in the service's description, when the backend cannot tell. */
    private @Nullable String modelType;

    /** Backend-specific options, e.g. {@code threads} or {@code api-key}. */
    private Map<String, String> options = new LinkedHashMap<>();

    /** Number of replicas. */
    private int replicas = 1;

    /** How use of the service is charged. */
    private final Billing billing = new Billing();

    /** Requests that may wait for a free replica; beyond it callers get 503. */
    private int queueCapacity = ServiceSpec.DEFAULT_QUEUE_CAPACITY;

    /** How long a request may wait for a replica before it is refused with 503. */
    private Duration requestTimeout = ServiceSpec.DEFAULT_REQUEST_TIMEOUT;

    /** The largest {@code n} (choices per request) a request may ask for. */
    private int maxChoices = ServiceSpec.DEFAULT_MAX_CHOICES;

    /** The service specification these settings describe; a clear error for missing fields. */
    public ServiceSpec toSpec() {
      if (location == null || location.isBlank()) {
        throw new ConfigurationException(
            "modelhost.services: service '" + owner + "/" + name + "' needs a location.", "location");
      }
      return ServiceSpec.builder(owner == null ? "" : owner, name == null ? "" : name)
          .backend(backend)
          .source(new ModelSource(location, options))
          .modelType(modelType)
          .replicas(replicas)
          .billing(billing.toBillingMethod())
          .queueCapacity(queueCapacity)
          .requestTimeout(requestTimeout)
          .maxChoices(maxChoices)
          .build();
    }

    public @Nullable String getOwner() { return owner; }
    public void setOwner(@Nullable String owner) { this.owner = owner; }
    public @Nullable String getName() { return name; }
    public void setName(@Nullable String name) { this.name = name; }
    public String getBackend() { return backend; }
    public void setBackend(String backend) { this.backend = backend; }
    public @Nullable String getLocation() { return location; }
    public void setLocation(@Nullable String location) { this.location = location; }
    public @Nullable String getModelType() { return modelType; }
    public void setModelType(@Nullable String modelType) { this.modelType = modelType; }
    public Map<String, String> getOptions() { return options; }
    public void setOptions(Map<String, String> options) { this.options = options; }
    public int getReplicas() { return replicas; }
    public void setReplicas(int replicas) { this.replicas = replicas; }
    public Billing getBilling() { return billing; }
    public int getQueueCapacity() { return queueCapacity; }
    public void setQueueCapacity(int queueCapacity) { this.queueCapacity = queueCapacity; }
    public Duration getRequestTimeout() { return requestTimeout; }
    public void setRequestTimeout(Duration requestTimeout) { this.requestTimeout = requestTimeout; }
    public int getMaxChoices() { return maxChoices; }
    public void setMaxChoices(int maxChoices) { this.maxChoices = maxChoices; }
  }

  /** Billing method of a service. */
  public static class Billing {

    /** {@code free} or {@code per_token}. */
    private String type = BillingMethod.FREE;

    /** Price per million prompt tokens. */
    private BigDecimal promptPricePerMillion = BigDecimal.ZERO;

    /** Price per million completion tokens. */
    private BigDecimal completionPricePerMillion = BigDecimal.ZERO;

    /** Currency of the prices. */
    private String currency = "USD";

    public BillingMethod toBillingMethod() {
      try {
        return new BillingMethod(type, promptPricePerMillion, completionPricePerMillion, currency);
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException(e.getMessage(), "billing");
      }
    }

    public String getType() { return type; }
    public void setType(String type) { this.type = type; }
    public BigDecimal getPromptPricePerMillion() { return promptPricePerMillion; }
    public void setPromptPricePerMillion(BigDecimal price) { this.promptPricePerMillion = price; }
    public BigDecimal getCompletionPricePerMillion() { return completionPricePerMillion; }
    public void setCompletionPricePerMillion(BigDecimal price) { this.completionPricePerMillion = price; }
    public String getCurrency() { return currency; }
    public void setCurrency(String currency) { this.currency = currency; }
  }

  /** API keys: stored as hex HMAC-SHA256 digests of the key under {@link #secret}. */
  public static class Security {

    /**
     * Server secret for the key digests. Required when digests are configured; when unset a random
     * secret is made at start, so keys created at runtime last until restart.
     */
    private @Nullable String secret;

    /** Hex HMAC-SHA256 digest of the admin key. */
    private @Nullable String adminKeyDigest;

    /** Owner keys, as digests. */
    private List<Key> keys = new ArrayList<>();

    public @Nullable String getSecret() { return secret; }
    public void setSecret(@Nullable String secret) { this.secret = secret; }
    public @Nullable String getAdminKeyDigest() { return adminKeyDigest; }
    public void setAdminKeyDigest(@Nullable String adminKeyDigest) { this.adminKeyDigest = adminKeyDigest; }
    public List<Key> getKeys() { return keys; }
    public void setKeys(List<Key> keys) { this.keys = keys; }
  }

  /** An owner key from configuration. */
  public static class Key {

    /** Key id shown in listings and usage; defaults to {@code cfg-} and the digest's first 12 characters. */
    private @Nullable String id;

    /** Owner namespace whose services the key may call. */
    private @Nullable String owner;

    /** Hex HMAC-SHA256 digest of the key under the server secret. */
    private @Nullable String digest;

    public @Nullable String getId() { return id; }
    public void setId(@Nullable String id) { this.id = id; }
    public @Nullable String getOwner() { return owner; }
    public void setOwner(@Nullable String owner) { this.owner = owner; }
    public @Nullable String getDigest() { return digest; }
    public void setDigest(@Nullable String digest) { this.digest = digest; }
  }

  /** Request limits. */
  public static class Limits {

    /** Largest request body accepted; larger bodies get 413. */
    private DataSize maxBodySize = DataSize.ofMegabytes(1);

    /** Requests one API key may have in flight at once; more get 429. 0 means no limit. */
    private int maxConcurrentRequestsPerKey = 0;

    /**
     * Completion tokens per choice that a request without {@code max_tokens} reserves against its
     * key's token and budget quotas.
     */
    private int defaultMaxTokensReservation = 4096;

    public DataSize getMaxBodySize() { return maxBodySize; }
    public void setMaxBodySize(DataSize maxBodySize) { this.maxBodySize = maxBodySize; }
    public int getMaxConcurrentRequestsPerKey() { return maxConcurrentRequestsPerKey; }
    public void setMaxConcurrentRequestsPerKey(int max) { this.maxConcurrentRequestsPerKey = max; }
    public int getDefaultMaxTokensReservation() { return defaultMaxTokensReservation; }
    public void setDefaultMaxTokensReservation(int tokens) { this.defaultMaxTokensReservation = tokens; }
  }

  /** The store of services, API keys and the usage ledger. */
  public static class Store {

    /**
     * {@code memory} (nothing survives a restart) or {@code jdbc}. Default: {@code jdbc} when
     * {@code url} or {@code data-dir} is set, else {@code memory}.
     */
    private @Nullable String type;

    /**
     * JDBC URL of the database, e.g. {@code jdbc:postgresql://db:5432/modelhost}. Default: an H2
     * database in {@code data-dir}.
     */
    private @Nullable String url;

    /** Database user; default: the environment variable {@code MODELHOST_DATABASE_USER}. */
    private @Nullable String username;

    /** Database password; default: the environment variable {@code MODELHOST_DATABASE_PASSWORD}. */
    private @Nullable String password;

    /** Folder of the embedded H2 database, used when no {@code url} is set; default {@code ~/.modelhost/data}. */
    private @Nullable String dataDir;

    /**
     * Folder of the usage journal: a response's usage record is appended to a file there before the
     * response is sent, and written to the database right after, so a response does not wait for a
     * commit; records the database did not get before a crash are written at the next start.
     * Default: {@code usage-journal} in {@code data-dir} for the embedded H2 database; none with a
     * {@code url} (a response then waits for its record's commit) or the memory store.
     */
    private @Nullable String ledgerJournalDir;

    /** Usage records that may wait for the database before new requests are refused with 503. */
    private int ledgerBufferCapacity = 10_000;

    /** The most usage records written in one transaction. */
    private int ledgerBatchSize = 500;

    /** How long shutdown waits for queued usage records to be written. */
    private Duration ledgerCloseTimeout = Duration.ofSeconds(10);

    /**
     * How long a finished response waits for its usage record to be committed before it is sent
     * anyway; it waits only while the database fails, and only without a journal.
     */
    private Duration ledgerAckTimeout = Duration.ofSeconds(2);

    /** How often API keys are reloaded, so keys made or revoked by another server are seen. */
    private Duration keyRefreshInterval = Duration.ofSeconds(1);

    /** The embedded H2 database's folder in effect. */
    public Path dataDirectory() {
      return Path.of(dataDir != null ? dataDir : System.getProperty("user.home") + "/.modelhost/data").toAbsolutePath();
    }

    /** The usage journal's folder in effect, or null for none. */
    public @Nullable Path journalDirectory() {
      if (ledgerJournalDir != null && !ledgerJournalDir.isBlank()) {
        return Path.of(ledgerJournalDir).toAbsolutePath();
      }
      boolean embedded = effectiveType().equals("jdbc") && (url == null || url.isBlank());
      return embedded ? dataDirectory().resolve("usage-journal") : null;
    }

    /** The store type in effect. */
    public String effectiveType() {
      if (type != null && !type.isBlank()) {
        if (!type.equals("memory") && !type.equals("jdbc")) {
          throw new ConfigurationException(
              "modelhost.store.type must be 'memory' or 'jdbc', got '" + type + "'.", "modelhost.store.type");
        }
        return type;
      }
      return url != null || dataDir != null ? "jdbc" : "memory";
    }

    public @Nullable String getType() { return type; }
    public void setType(@Nullable String type) { this.type = type; }
    public @Nullable String getUrl() { return url; }
    public void setUrl(@Nullable String url) { this.url = url; }
    public @Nullable String getUsername() { return username; }
    public void setUsername(@Nullable String username) { this.username = username; }
    public @Nullable String getPassword() { return password; }
    public void setPassword(@Nullable String password) { this.password = password; }
    public @Nullable String getDataDir() { return dataDir; }
    public void setDataDir(@Nullable String dataDir) { this.dataDir = dataDir; }
    public @Nullable String getLedgerJournalDir() { return ledgerJournalDir; }
    public void setLedgerJournalDir(@Nullable String dir) { this.ledgerJournalDir = dir; }
    public int getLedgerBufferCapacity() { return ledgerBufferCapacity; }
    public void setLedgerBufferCapacity(int capacity) { this.ledgerBufferCapacity = capacity; }
    public int getLedgerBatchSize() { return ledgerBatchSize; }
    public void setLedgerBatchSize(int batchSize) { this.ledgerBatchSize = batchSize; }
    public Duration getLedgerCloseTimeout() { return ledgerCloseTimeout; }
    public void setLedgerCloseTimeout(Duration timeout) { this.ledgerCloseTimeout = timeout; }
    public Duration getLedgerAckTimeout() { return ledgerAckTimeout; }
    public void setLedgerAckTimeout(Duration timeout) { this.ledgerAckTimeout = timeout; }
    public Duration getKeyRefreshInterval() { return keyRefreshInterval; }
    public void setKeyRefreshInterval(Duration interval) { this.keyRefreshInterval = interval; }
  }
}
