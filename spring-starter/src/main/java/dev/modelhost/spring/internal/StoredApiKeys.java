package dev.modelhost.spring.internal;

import dev.modelhost.ServiceSpec;
import dev.modelhost.exception.ConflictException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.spring.ApiKey;
import dev.modelhost.spring.ApiKeys;
import dev.modelhost.spring.KeyQuota;
import dev.modelhost.spring.store.ApiKeyStore;
import dev.modelhost.spring.store.StoredKey;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys over an {@link ApiKeyStore}, held as HMAC-SHA256 digests under the server secret.
 * Authentication reads an in-memory copy (so a request never waits for the database) and compares
 * the presented key's digest with every stored digest in constant time. {@link #refresh()} reloads
 * the copy, so keys made or revoked by another server on the same database are seen, and records
 * when keys were last used.
 */
public final class StoredApiKeys implements ApiKeys, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StoredApiKeys.class);
  static final String KEY_PREFIX = "mh-";
  private static final String CONFIGURED_ID_PREFIX = "cfg-";

  private final byte[] secret;
  /** One keyed HMAC per thread: making one looks up the provider and keys it, a cost every request would pay. */
  private final ThreadLocal<Mac> macs;
  private final ApiKeyStore store;
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final Map<String, Instant> lastUsed = new ConcurrentHashMap<>();
  private volatile List<Entry> entries = List.of();
  private @Nullable ScheduledExecutorService refresher;

  private record Entry(ApiKey key, byte[] digest) {}

  /** @param secret the digest secret, at least 16 bytes */
  public StoredApiKeys(byte[] secret, ApiKeyStore store, Clock clock) {
    if (secret.length < 16) {
      throw new InvalidRequestException("The server secret must be at least 16 bytes long.", "secret");
    }
    this.secret = secret.clone();
    this.macs = ThreadLocal.withInitial(() -> newMac(this.secret));
    this.store = store;
    this.clock = clock;
    refresh();
  }

  /** A random secret for servers that keep no keys across restarts. */
  public static byte[] randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  /** The hex digest that configuration holds for {@code plainKey} under {@code secret}. */
  public static String digestHex(byte[] secret, String plainKey) {
    return HexFormat.of().formatHex(hmac(secret, plainKey));
  }

  /** Reloads the keys from the store after writing when keys were last used. */
  public void refresh() {
    if (!lastUsed.isEmpty()) {
      Map<String, Instant> batch = Map.copyOf(lastUsed);
      store.touch(batch);
      batch.forEach(lastUsed::remove);
    }
    List<Entry> loaded = new ArrayList<>();
    for (StoredKey stored : store.list()) {
      loaded.add(new Entry(toApiKey(stored), HexFormat.of().parseHex(stored.digest())));
    }
    entries = List.copyOf(loaded);
  }

  /** Refreshes every {@code interval} on a thread of its own, until {@link #close()}. */
  public synchronized void startRefreshing(Duration interval) {
    if (refresher == null) {
      refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "modelhost-key-refresh");
        thread.setDaemon(true);
        return thread;
      });
      refresher.scheduleWithFixedDelay(this::refreshQuietly, interval.toMillis(), interval.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /** Stops refreshing and records when keys were last used. */
  @Override
  public synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
    refreshQuietly();
  }

  /** {@link #refresh()}, logging instead of failing: the copy in memory keeps serving meanwhile. */
  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      log.warn("Could not reload API keys from the store; using the keys loaded before: {}", e.toString());
    }
  }

  @Override
  public CreatedKey create(String owner, @Nullable Instant expiresAt) {
    checkOwner(owner);
    return createKey(owner, expiresAt);
  }

  @Override
  public CreatedKey createAdmin() {
    return createKey(null, null);
  }

  private CreatedKey createKey(@Nullable String owner, @Nullable Instant expiresAt) {
    if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
      throw new InvalidRequestException("expires_at must be in the future.", "expires_at", "invalid_value");
    }
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    String plain = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    byte[] idBytes = new byte[6];
    random.nextBytes(idBytes);
    ApiKey key = insert(new StoredKey("key-" + HexFormat.of().formatHex(idBytes), owner, mask(plain),
        digestHex(secret, plain), "api", clock.instant(), expiresAt, null, null, KeyQuota.NONE));
    return new CreatedKey(key, plain);
  }

  @Override
  public ApiKey register(String owner, String plainKey) {
    checkOwner(owner);
    return registerConfigured(null, owner, mask(plainKey), digestHex(secret, checkPlain(plainKey)));
  }

  @Override
  public ApiKey registerAdmin(String plainKey) {
    return registerConfigured(null, null, mask(plainKey), digestHex(secret, checkPlain(plainKey)));
  }

  @Override
  public ApiKey registerDigest(@Nullable String id, @Nullable String owner, String hexDigest) {
    if (owner != null) {
      checkOwner(owner);
    }
    String digest = hexDigest.trim().toLowerCase(Locale.ROOT);
    if (!digest.matches("[0-9a-f]{64}")) {
      throw new InvalidRequestException("A key digest must be 64 hex characters.", "digest");
    }
    return registerConfigured(id == null || id.isBlank() ? null : id, owner, "(configured)", digest);
  }

  /** A configured key: the recorded one when its digest is known, else a new one with a stable id. */
  private synchronized ApiKey registerConfigured(@Nullable String id, @Nullable String owner, String masked,
      String digest) {
    refresh();
    for (Entry entry : entries) {
      if (HexFormat.of().formatHex(entry.digest()).equals(digest)) {
        ApiKey known = entry.key();
        if (!Objects.equals(known.owner(), owner)) {
          throw new ConflictException("The configured key " + known.id() + " is recorded for "
              + (known.owner() == null ? "the admin" : "owner '" + known.owner() + "'") + "; it cannot change owner.",
              "owner");
        }
        return known;
      }
    }
    String keyId = id != null ? id : CONFIGURED_ID_PREFIX + digest.substring(0, 12);
    return insert(new StoredKey(keyId, owner, masked, digest, "config", clock.instant(), null, null, null,
        KeyQuota.NONE));
  }

  private synchronized ApiKey insert(StoredKey key) {
    for (Entry entry : entries) {
      if (entry.key().id().equals(key.id())) {
        throw new ConflictException("An API key with id '" + key.id() + "' exists already.", "id");
      }
    }
    store.insert(key);
    refresh();
    return toApiKey(key);
  }

  @Override
  public Optional<ApiKey> authenticate(String presentedKey) {
    byte[] digest = macs.get().doFinal(presentedKey.getBytes(StandardCharsets.UTF_8));
    ApiKey match = null;
    // Every entry is compared, so timing does not tell how many keys or which one matched.
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.digest(), digest) && match == null) {
        match = entry.key();
      }
    }
    Instant now = clock.instant();
    if (match == null || !match.usable(now)) {
      return Optional.empty();
    }
    lastUsed.put(match.id(), now);
    return Optional.of(match);
  }

  @Override
  public Optional<ApiKey> find(String id) {
    for (Entry entry : entries) {
      if (entry.key().id().equals(id)) {
        return Optional.of(entry.key());
      }
    }
    return Optional.empty();
  }

  @Override
  public List<ApiKey> list() {
    return entries.stream().map(Entry::key).toList();
  }

  @Override
  public synchronized ApiKey revoke(String id) {
    refresh();
    ApiKey key = find(id).filter(found -> found.revoked() == null).orElseThrow(
        () -> new NotFoundException("No API key with id '" + id + "' (or it is revoked already).", "id",
            "key_not_found"));
    Instant now = clock.instant();
    if (key.admin() && key.usable(now)
        && entries.stream().noneMatch(e -> e.key().admin() && e.key().usable(now) && !e.key().id().equals(id))) {
      throw new ConflictException(
          "Key '" + id + "' is the last usable admin key; revoking it would lock everyone out of the management API."
              + " Create another admin key first.", "id");
    }
    store.revoke(id, now);
    refresh();
    return find(id).orElse(key);
  }

  @Override
  public synchronized ApiKey setQuota(String id, KeyQuota quota) {
    if (!store.setQuota(id, quota)) {
      throw new NotFoundException("No API key with id '" + id + "'.", "id", "key_not_found");
    }
    refresh();
    return find(id).orElseThrow();
  }

  private static ApiKey toApiKey(StoredKey stored) {
    return new ApiKey(stored.id(), stored.owner(), stored.masked(), stored.created(), stored.source(),
        stored.expiresAt(), stored.lastUsed(), stored.revoked(), stored.quota());
  }

  /** The masked form of a presented key, safe to log or echo. */
  static String mask(String plainKey) {
    if (plainKey.length() < 12) {
      return "****";
    }
    return plainKey.substring(0, 5) + "…" + plainKey.substring(plainKey.length() - 4);
  }

  private static String checkPlain(String plainKey) {
    if (plainKey.length() < 16 || plainKey.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new InvalidRequestException(
          "An API key must be at least 16 printable ASCII characters without spaces.", "key");
    }
    return plainKey;
  }

  private static void checkOwner(String owner) {
    if (!ServiceSpec.NAME_PATTERN.matcher(owner).matches()) {
      throw new InvalidRequestException(
          "Invalid owner '" + owner + "': use 1-63 lowercase letters, digits, '-', '_' or '.',"
              + " starting with a letter or digit.",
          "owner",
          "invalid_value");
    }
  }

  private static byte[] hmac(byte[] secret, String key) {
    return newMac(secret).doFinal(key.getBytes(StandardCharsets.UTF_8));
  }

  private static Mac newMac(byte[] secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
