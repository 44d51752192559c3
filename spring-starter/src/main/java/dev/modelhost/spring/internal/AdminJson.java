package dev.modelhost.spring.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.modelhost.BillingMethod;
import dev.modelhost.ModelService;
import dev.modelhost.PullProgress;
import dev.modelhost.ServiceSpec;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.InvalidTypeException;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spring.ApiKey;
import dev.modelhost.spring.KeyQuota;
import dev.modelhost.spring.store.LedgerRecord;
import dev.modelhost.spring.store.UsageTotal;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonToken;

/**
 * JSON shapes of the management API (snake_case, like the OpenAI API). Unlike the inference
 * routes, request fields are strict: an unknown field is a 400, so a typo is never silently ignored.
 */
final class AdminJson {

  private AdminJson() {}

  record BillingBody(
      @JsonProperty("type") @Nullable String type,
      @JsonProperty("prompt_price_per_million") @Nullable BigDecimal promptPricePerMillion,
      @JsonProperty("completion_price_per_million") @Nullable BigDecimal completionPricePerMillion,
      @JsonProperty("currency") @Nullable String currency) {

    static BillingBody of(BillingMethod billing) {
      return new BillingBody(billing.type(), billing.promptPricePerMillion(), billing.completionPricePerMillion(),
          billing.currency());
    }

    BillingMethod toBillingMethod() {
      try {
        return new BillingMethod(
            type == null ? BillingMethod.FREE : type,
            promptPricePerMillion == null ? BigDecimal.ZERO : promptPricePerMillion,
            completionPricePerMillion == null ? BigDecimal.ZERO : completionPricePerMillion,
            currency == null ? "USD" : currency);
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(e.getMessage(), "billing", "invalid_value");
      }
    }
  }

  /** {@code POST /admin/services}. */
  record CreateService(
      @JsonProperty("owner") @Nullable String owner,
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("backend") @Nullable String backend,
      @JsonProperty("location") @Nullable String location,
      @JsonProperty("model_type") @Nullable String modelType,
      @JsonProperty("options") @Nullable Map<String, String> options,
      @JsonProperty("replicas") @Nullable Integer replicas,
      @JsonProperty("billing") @Nullable BillingBody billing,
      @JsonProperty("queue_capacity") @Nullable Integer queueCapacity,
      @JsonProperty("request_timeout_seconds") @Nullable Double requestTimeoutSeconds,
      @JsonProperty("max_choices") @Nullable Integer maxChoices) {

    ServiceSpec toSpec() {
      if (location == null || location.isBlank()) {
        throw new InvalidRequestException("'location' is required: a model directory or upstream URL.", "location",
            "missing_required_parameter");
      }
      if (options != null) {
        options.forEach((key, value) -> {
          if (value == null) {
            throw new InvalidTypeException("options." + key, "a string", JsonToken.VALUE_NULL);
          }
        });
      }
      ServiceSpec.Builder builder = ServiceSpec.builder(owner == null ? "" : owner, name == null ? "" : name)
          .source(new ModelSource(location, options == null ? Map.of() : options))
          .modelType(modelType);
      if (backend != null) {
        builder.backend(backend);
      }
      if (replicas != null) {
        builder.replicas(replicas);
      }
      if (billing != null) {
        builder.billing(billing.toBillingMethod());
      }
      if (queueCapacity != null) {
        builder.queueCapacity(queueCapacity);
      }
      if (requestTimeoutSeconds != null) {
        if (!(requestTimeoutSeconds > 0) || requestTimeoutSeconds > 86_400) {
          throw new InvalidRequestException("request_timeout_seconds must be between 0 and 86400.",
              "request_timeout_seconds", "invalid_value");
        }
        builder.requestTimeout(Duration.ofMillis(Math.round(requestTimeoutSeconds * 1000)));
      }
      if (maxChoices != null) {
        builder.maxChoices(maxChoices);
      }
      return builder.build();
    }
  }

  /** {@code POST /admin/services/{owner}/{name}/scale}. */
  record Scale(@JsonProperty("replicas") @Nullable Integer replicas) {}

  /** {@code POST /admin/keys}: an owner key, or with {@code admin: true} an admin key. */
  record CreateKey(
      @JsonProperty("owner") @Nullable String owner,
      @JsonProperty("admin") @Nullable Boolean admin,
      @JsonProperty("expires_at") @Nullable Long expiresAt,
      @JsonProperty("quota") @Nullable QuotaBody quota) {}

  /** A key's limits; absent fields are no limit. */
  record QuotaBody(
      @JsonProperty("requests_per_minute") @Nullable Integer requestsPerMinute,
      @JsonProperty("tokens_per_minute") @Nullable Long tokensPerMinute,
      @JsonProperty("concurrent_requests") @Nullable Integer concurrentRequests,
      @JsonProperty("budget") @Nullable BigDecimal budget,
      @JsonProperty("budget_period") @Nullable String budgetPeriod) {

    static QuotaBody of(KeyQuota quota) {
      return new QuotaBody(quota.requestsPerMinute(), quota.tokensPerMinute(), quota.concurrentRequests(),
          quota.budget() == null ? null : quota.budget().stripTrailingZeros(), quota.budgetPeriod());
    }

    KeyQuota toQuota() {
      return new KeyQuota(requestsPerMinute, tokensPerMinute, concurrentRequests, budget,
          budgetPeriod == null ? "month" : budgetPeriod);
    }
  }

  record Authorization(
      @JsonProperty("type") String type,
      @JsonProperty("header") String header,
      @JsonProperty("description") String description) {}

  record Examples(
      @JsonProperty("curl") String curl,
      @JsonProperty("python") String python,
      @JsonProperty("node") String node) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  record ServiceView(
      @JsonProperty("id") String id,
      @JsonProperty("object") String object,
      @JsonProperty("name") String name,
      @JsonProperty("owner") String owner,
      @JsonProperty("access_path") String accessPath,
      @JsonProperty("model_type") String modelType,
      @JsonProperty("backend") String backend,
      @JsonProperty("location") String location,
      @JsonProperty("status") String status,
      @JsonProperty("status_reason") @Nullable String statusReason,
      @JsonProperty("pull_progress") @Nullable PullProgressBody pullProgress,
      @JsonProperty("replicas") int replicas,
      @JsonProperty("ready_replicas") int readyReplicas,
      @JsonProperty("busy_replicas") int busyReplicas,
      @JsonProperty("in_flight_requests") int inFlightRequests,
      @JsonProperty("queued_requests") int queuedRequests,
      @JsonProperty("billing") BillingBody billing,
      @JsonProperty("created") long created,
      @JsonProperty("authorization") Authorization authorization,
      @JsonProperty("examples") Examples examples) {

    static ServiceView of(ModelService service, String baseUrl) {
      return new ServiceView(
          service.accessPath(), "model_service", service.name(), service.owner(), service.accessPath(),
          service.modelType(), service.backend(), service.location(),
          service.status().name().toLowerCase(Locale.ROOT), service.statusReason(),
          service.pullProgress() == null ? null : PullProgressBody.of(service.pullProgress()), service.replicas(),
          service.readyReplicas(), service.busyReplicas(), service.inFlightRequests(), service.queuedRequests(),
          BillingBody.of(service.billing()), service.created().getEpochSecond(),
          new Authorization("bearer", "Authorization: Bearer <Your API Key here>",
              "Send an API key of owner '" + service.owner() + "' (or the admin key) as a Bearer token."),
          CallExamples.of(baseUrl, service.accessPath()));
    }
  }

  /** How far a model's download has come while its service is {@code creating}. */
  record PullProgressBody(
      @JsonProperty("bytes_done") long bytesDone,
      @JsonProperty("bytes_total") long bytesTotal,
      @JsonProperty("files_done") int filesDone,
      @JsonProperty("files_total") int filesTotal) {

    static PullProgressBody of(PullProgress progress) {
      return new PullProgressBody(progress.bytesDone(), progress.bytesTotal(), progress.filesDone(),
          progress.filesTotal());
    }
  }

  record ServiceList(@JsonProperty("object") String object, @JsonProperty("data") List<ServiceView> data) {}

  record Deleted(@JsonProperty("id") String id, @JsonProperty("object") String object,
      @JsonProperty("deleted") boolean deleted) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  record KeyView(
      @JsonProperty("id") String id,
      @JsonProperty("object") String object,
      @JsonProperty("owner") @Nullable String owner,
      @JsonProperty("admin") boolean admin,
      @JsonProperty("masked_key") String maskedKey,
      @JsonProperty("source") String source,
      @JsonProperty("created") long created,
      @JsonProperty("expires_at") @Nullable Long expiresAt,
      @JsonProperty("last_used_at") @Nullable Long lastUsedAt,
      @JsonProperty("revoked_at") @Nullable Long revokedAt,
      @JsonProperty("quota") QuotaBody quota,
      @JsonProperty("key") @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String key) {

    static KeyView of(ApiKey apiKey, @Nullable String plainKey) {
      return new KeyView(apiKey.id(), "api_key", apiKey.owner(), apiKey.admin(), apiKey.masked(), apiKey.source(),
          apiKey.created().getEpochSecond(), seconds(apiKey.expiresAt()), seconds(apiKey.lastUsed()),
          seconds(apiKey.revoked()), QuotaBody.of(apiKey.quota()), plainKey);
    }
  }

  static @Nullable Long seconds(@Nullable Instant instant) {
    return instant == null ? null : instant.getEpochSecond();
  }

  record KeyList(@JsonProperty("object") String object, @JsonProperty("data") List<KeyView> data) {}

  /** Totals of one group; the dimensions not grouped by are null. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record UsageView(
      @JsonProperty("object") String object,
      @JsonProperty("owner") @Nullable String owner,
      @JsonProperty("key_id") @Nullable String keyId,
      @JsonProperty("service") @Nullable String service,
      @JsonProperty("requests") long requests,
      @JsonProperty("failed_requests") long failed,
      @JsonProperty("cancelled_requests") long cancelled,
      @JsonProperty("prompt_tokens") long promptTokens,
      @JsonProperty("completion_tokens") long completionTokens,
      @JsonProperty("total_tokens") long totalTokens,
      @JsonProperty("cost") String cost,
      @JsonProperty("currency") String currency) {

    static UsageView of(UsageTotal total) {
      return new UsageView("usage.total", total.owner(), total.keyId(), total.service(), total.requests(),
          total.failed(), total.cancelled(), total.promptTokens(), total.completionTokens(),
          total.promptTokens() + total.completionTokens(), decimal(total.cost()), total.currency());
    }
  }

  record UsageList(
      @JsonProperty("object") String object,
      @JsonProperty("from") @Nullable Long from,
      @JsonProperty("to") @Nullable Long to,
      @JsonProperty("group_by") List<String> groupBy,
      @JsonProperty("data") List<UsageView> data) {}

  /** One ledger record. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record RecordView(
      @JsonProperty("id") String id,
      @JsonProperty("object") String object,
      @JsonProperty("key_id") String keyId,
      @JsonProperty("owner") String owner,
      @JsonProperty("service") String service,
      @JsonProperty("service_instance_id") String serviceInstanceId,
      @JsonProperty("endpoint") String endpoint,
      @JsonProperty("finish_reason") @Nullable String finishReason,
      @JsonProperty("prompt_tokens") long promptTokens,
      @JsonProperty("completion_tokens") long completionTokens,
      @JsonProperty("estimated") boolean estimated,
      @JsonProperty("started_at") BigDecimal startedAt,
      @JsonProperty("ended_at") BigDecimal endedAt,
      @JsonProperty("cost") String cost,
      @JsonProperty("currency") String currency) {

    static RecordView of(LedgerRecord record) {
      return new RecordView(record.requestId(), "usage.record", record.keyId(), record.owner(), record.service(),
          record.serviceInstanceId(), record.endpoint(), record.finishReason(), record.promptTokens(),
          record.completionTokens(), record.estimated(), BigDecimal.valueOf(record.startedAt().toEpochMilli(), 3),
          BigDecimal.valueOf(record.endedAt().toEpochMilli(), 3), decimal(record.cost()), record.currency());
    }
  }

  record RecordList(
      @JsonProperty("object") String object,
      @JsonProperty("data") List<RecordView> data,
      @JsonProperty("first_id") @Nullable String firstId,
      @JsonProperty("last_id") @Nullable String lastId,
      @JsonProperty("has_more") boolean hasMore) {}

  /** A money amount as a plain decimal string without trailing zeros (JSON numbers lose precision). */
  static String decimal(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
  }
}
