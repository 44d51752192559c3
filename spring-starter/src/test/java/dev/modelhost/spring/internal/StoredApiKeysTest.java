package dev.modelhost.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.ConflictException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.spring.ApiKey;
import dev.modelhost.spring.ApiKeys;
import dev.modelhost.spring.internal.store.InMemoryApiKeyStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StoredApiKeysTest {

  private static final String ADMIN = "mh-operator-admin-key-0001";
  private final byte[] secret = StoredApiKeys.randomSecret();
  private final InMemoryApiKeyStore store = new InMemoryApiKeyStore();
  private final StoredApiKeys keys = new StoredApiKeys(secret, store, Clock.systemUTC());

  @Test
  void digestsAreHmacSha256AsOpensslComputesThem() {
    // RFC-style known answer: printf %s "The quick brown fox jumps over the lazy dog" | openssl dgst -sha256 -hmac key
    assertThat(StoredApiKeys.digestHex("key".getBytes(StandardCharsets.UTF_8),
            "The quick brown fox jumps over the lazy dog"))
        .isEqualTo("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  }

  @Test
  void showsACreatedKeyOnlyInTheCreationResult() {
    ApiKeys.CreatedKey created = keys.create("acme");

    assertThat(created.toString()).doesNotContain(created.key());
    assertThat(keys.list().toString()).doesNotContain(created.key());
    assertThat(store.list().toString()).doesNotContain(created.key());
    assertThat(created.apiKey().masked()).doesNotContain(created.key().substring(5, created.key().length() - 4));
    assertThat(keys.authenticate(created.key())).contains(created.apiKey());
  }

  @Test
  void authenticatesOnlyTheExactKey() {
    ApiKeys.CreatedKey created = keys.create("acme");

    assertThat(keys.authenticate(created.key() + " ")).isEmpty();
    assertThat(keys.authenticate(created.key().substring(1))).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
  }

  @Test
  void refusesWeakOperatorKeysAndInvalidOwners() {
    assertThatThrownBy(() -> keys.register("acme", "short")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> keys.registerAdmin("has a space in it 0123")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> keys.create("Acme/Root")).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void keepsARevokedKeyListedButNeverAuthenticatesIt() {
    ApiKeys.CreatedKey created = keys.create("acme");

    keys.revoke(created.apiKey().id());

    assertThat(keys.authenticate(created.key())).isEmpty();
    assertThat(keys.find(created.apiKey().id())).hasValueSatisfying(key -> assertThat(key.revoked()).isNotNull());
    assertThatThrownBy(() -> keys.revoke(created.apiKey().id())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void givesAConfiguredKeyTheSameIdAtEveryStartAndKeepsItRevoked() {
    ApiKey first = keys.register("acme", "mh-operator-chosen-key-0001");
    keys.registerAdmin(ADMIN);
    keys.revoke(first.id());

    StoredApiKeys restarted = new StoredApiKeys(secret, store, Clock.systemUTC());
    ApiKey again = restarted.register("acme", "mh-operator-chosen-key-0001");

    assertThat(again.id()).isEqualTo(first.id()).startsWith("cfg-");
    assertThat(again.revoked()).isNotNull();
    assertThat(restarted.authenticate("mh-operator-chosen-key-0001")).isEmpty();
  }

  @Test
  void refusesToRevokeTheLastUsableAdminKey() {
    ApiKey admin = keys.registerAdmin(ADMIN);

    assertThatThrownBy(() -> keys.revoke(admin.id()))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("last usable admin key");

    ApiKeys.CreatedKey second = keys.createAdmin();
    keys.revoke(admin.id());
    assertThat(keys.authenticate(ADMIN)).isEmpty();
    assertThatThrownBy(() -> keys.revoke(second.apiKey().id())).isInstanceOf(ConflictException.class);
  }

  @Test
  void stopsAuthenticatingAKeyAtItsExpiry() {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");
    MutableClock clock = new MutableClock(now);
    StoredApiKeys timed = new StoredApiKeys(secret, store, clock);
    ApiKeys.CreatedKey created = timed.create("acme", now.plus(Duration.ofHours(1)));

    assertThat(timed.authenticate(created.key())).isPresent();
    clock.now = now.plus(Duration.ofHours(1));
    assertThat(timed.authenticate(created.key())).isEmpty();
    assertThatThrownBy(() -> timed.create("acme", now)).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void recordsWhenAKeyWasLastUsed() {
    ApiKeys.CreatedKey created = keys.create("acme");
    keys.authenticate(created.key());

    keys.refresh();

    assertThat(keys.find(created.apiKey().id())).hasValueSatisfying(key -> assertThat(key.lastUsed()).isNotNull());
  }

  private static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
