package dev.modelhost.spring.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.modelhost.BillingMethod;
import dev.modelhost.ServiceSpec;
import dev.modelhost.exception.ConflictException;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spring.KeyQuota;
import dev.modelhost.spring.store.LedgerRecord;
import dev.modelhost.spring.store.StoredKey;
import dev.modelhost.spring.store.StoredService;
import dev.modelhost.spring.store.UsageLedger.GroupBy;
import dev.modelhost.spring.store.UsageQuery;
import dev.modelhost.spring.store.UsageTotal;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The JDBC store on H2 and PostgreSQL, checked against the in-memory one where they overlap. */
class JdbcStoreTest {

  private static final Instant T0 = Instant.parse("2030-05-01T10:00:00Z");

  @TempDir Path dir;

  private final List<HikariDataSource> pools = new ArrayList<>();

  @AfterEach
  void closePools() {
    pools.forEach(HikariDataSource::close);
  }

  private JdbcStore open(String url) {
    HikariDataSource pool = TestDatabases.dataSource(url);
    pools.add(pool);
    return new JdbcStore(pool);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void keepsServicesKeysAndTheLedgerAcrossReopening(TestDatabases.Kind kind) {
    String url = TestDatabases.url(kind, dir);
    JdbcStore store = open(url);
    ServiceSpec spec = ServiceSpec.builder("acme", "chat").backend("scripted")
        .source(new ModelSource("model-dir", Map.of("threads", "2"))).modelType("llama").replicas(3)
        .billing(BillingMethod.perToken(new BigDecimal("0.15"), new BigDecimal("0.6"), "EUR"))
        .queueCapacity(7).requestTimeout(Duration.ofMillis(1500)).maxChoices(2).build();
    store.services().save(new StoredService("svc-1", spec, T0));
    store.keys().insert(key("key-1", "acme", "ab".repeat(32)));
    byte[] secret = store.keys().secret(() -> new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    store.ledger().append(List.of(record("chatcmpl-1", "key-1", 10, 5, "stop")));
    pools.get(0).close();

    JdbcStore reopened = open(url);

    assertThat(reopened.services().list()).containsExactly(new StoredService("svc-1", spec, T0));
    assertThat(reopened.keys().list()).extracting(StoredKey::id).containsExactly("key-1");
    assertThat(reopened.keys().secret(() -> new byte[32])).isEqualTo(secret);
    assertThat(reopened.ledger().records(UsageQuery.ALL, null, 10)).containsExactly(
        record("chatcmpl-1", "key-1", 10, 5, "stop"));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void writesEachRequestOnceHoweverOftenABatchIsSent(TestDatabases.Kind kind) {
    JdbcStore store = open(TestDatabases.url(kind, dir));
    List<LedgerRecord> batch = List.of(record("r1", "k", 1, 1, "stop"), record("r2", "k", 2, 2, "stop"));

    assertThat(store.ledger().append(batch)).isEqualTo(2);
    assertThat(store.ledger().append(batch)).isZero();
    assertThat(store.ledger().append(List.of(record("r2", "k", 2, 2, "stop"), record("r3", "k", 3, 3, "stop"))))
        .isEqualTo(1);

    assertThat(store.ledger().records(UsageQuery.ALL, null, 10)).extracting(LedgerRecord::requestId)
        .containsExactly("r1", "r2", "r3");
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void sumsAndPagesTheLedgerAsTheInMemoryLedgerDoes(TestDatabases.Kind kind) {
    JdbcStore store = open(TestDatabases.url(kind, dir));
    InMemoryUsageLedger reference = new InMemoryUsageLedger();
    List<LedgerRecord> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String finish = i % 5 == 0 ? "cancelled" : i % 7 == 0 ? "error" : "stop";
      records.add(new LedgerRecord("req-" + i, i % 3 == 0 ? "key-a" : "key-b", i % 2 == 0 ? "acme" : "beta",
          (i % 2 == 0 ? "acme" : "beta") + "/chat", "svc-" + (i % 2), "chat.completions", finish, i, 2L * i, false,
          T0.plusSeconds(i), T0.plusSeconds(i + 1),
          BillingMethod.perToken(new BigDecimal("0.5"), new BigDecimal("1.5"), "USD").cost(i, 2L * i), "USD"));
    }
    store.ledger().append(records);
    reference.append(records);

    UsageQuery window = new UsageQuery(T0.plusSeconds(10), T0.plusSeconds(31), null, null, null);
    for (Set<GroupBy> groupBy : List.of(EnumSet.noneOf(GroupBy.class), EnumSet.of(GroupBy.OWNER),
        EnumSet.of(GroupBy.KEY, GroupBy.SERVICE), EnumSet.allOf(GroupBy.class))) {
      assertThat(normalized(store.ledger().totals(window, groupBy))).as(groupBy.toString())
          .isEqualTo(normalized(reference.totals(window, groupBy)));
    }
    List<UsageTotal> all = store.ledger().totals(window, Set.of());
    assertThat(all).singleElement().satisfies(total -> {
      assertThat(total.requests()).isEqualTo(21);
      assertThat(total.promptTokens()).isEqualTo((9 + 29) * 21 / 2);
    });

    UsageQuery keyB = new UsageQuery(null, null, null, "key-b", null);
    List<String> paged = new ArrayList<>();
    String after = null;
    List<LedgerRecord> page;
    do {
      page = store.ledger().records(keyB, after, 7);
      page.forEach(record -> paged.add(record.requestId()));
      after = page.isEmpty() ? null : page.get(page.size() - 1).requestId();
    } while (page.size() == 7);
    assertThat(paged).isEqualTo(reference.records(keyB, null, 100).stream().map(LedgerRecord::requestId).toList());
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void revokesOnceAndRefusesADuplicateDigest(TestDatabases.Kind kind) {
    JdbcStore store = open(TestDatabases.url(kind, dir));
    store.keys().insert(key("key-1", null, "cd".repeat(32)));

    assertThat(store.keys().revoke("key-1", T0)).isTrue();
    assertThat(store.keys().revoke("key-1", T0.plusSeconds(60))).isTrue();
    assertThat(store.keys().revoke("nope", T0)).isFalse();
    assertThat(store.keys().list()).singleElement().satisfies(key -> assertThat(key.revoked()).isEqualTo(T0));
    assertThatThrownBy(() -> store.keys().insert(key("key-2", "acme", "cd".repeat(32))))
        .isInstanceOf(ConflictException.class);

    KeyQuota quota = new KeyQuota(10, 1000L, 2, new BigDecimal("1.25"), "day");
    assertThat(store.keys().setQuota("key-1", quota)).isTrue();
    store.keys().touch(Map.of("key-1", T0.plusSeconds(5)));
    assertThat(store.keys().list()).singleElement().satisfies(key -> {
      assertThat(key.quota().budget()).isEqualByComparingTo("1.25");
      assertThat(key.quota().requestsPerMinute()).isEqualTo(10);
      assertThat(key.lastUsed()).isEqualTo(T0.plusSeconds(5));
    });
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void recordsAServiceAgainUnderANewInstanceAfterItsDeletion(TestDatabases.Kind kind) {
    JdbcStore store = open(TestDatabases.url(kind, dir));
    ServiceSpec spec = ServiceSpec.builder("acme", "chat").location("x").build();
    store.services().save(new StoredService("svc-old", spec, T0));
    store.services().save(new StoredService("svc-old", spec.toBuilder().replicas(4).build(), T0));
    store.services().delete("acme/chat");
    assertThat(store.services().list()).isEmpty();

    store.services().save(new StoredService("svc-new", spec, T0.plusSeconds(9)));

    assertThat(store.services().list()).extracting(StoredService::instanceId).containsExactly("svc-new");
  }

  private static StoredKey key(String id, String owner, String digest) {
    return new StoredKey(id, owner, "mh-ab…cdef", digest, "api", T0, null, null, null, KeyQuota.NONE);
  }

  private static LedgerRecord record(String id, String key, long prompt, long completion, String finish) {
    return new LedgerRecord(id, key, "acme", "acme/chat", "svc-1", "chat.completions", finish, prompt, completion,
        false, T0, T0.plusMillis(1234), new BigDecimal("0.000123"), "USD");
  }

  private static List<UsageTotal> normalized(List<UsageTotal> totals) {
    return totals.stream().map(t -> new UsageTotal(t.owner(), t.keyId(), t.service(), t.currency(), t.requests(),
        t.failed(), t.cancelled(), t.promptTokens(), t.completionTokens(), t.cost().stripTrailingZeros())).toList();
  }
}
