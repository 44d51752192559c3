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
import java.math.BigDecimal;
import java.time.Duration;
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

  /** {@code POST /admin/keys}. */
  record CreateKey(@JsonProperty("owner") @Nullable String owner) {}

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
      @JsonProperty("key") @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String key) {

    static KeyView of(ApiKey apiKey, @Nullable String plainKey) {
      return new KeyView(apiKey.id(), "api_key", apiKey.owner(), apiKey.admin(), apiKey.masked(), apiKey.source(),
          apiKey.created().getEpochSecond(), plainKey);
    }
  }

  record KeyList(@JsonProperty("object") String object, @JsonProperty("data") List<KeyView> data) {}

  record UsageView(
      @JsonProperty("key_id") String keyId,
      @JsonProperty("owner") String owner,
      @JsonProperty("service") String service,
      @JsonProperty("requests") long requests,
      @JsonProperty("failed_requests") long failed,
      @JsonProperty("cancelled_requests") long cancelled,
      @JsonProperty("prompt_tokens") long promptTokens,
      @JsonProperty("completion_tokens") long completionTokens,
      @JsonProperty("total_tokens") long totalTokens) {

    static UsageView of(UsageAggregator.Usage usage) {
      return new UsageView(usage.caller(), usage.owner(), usage.service(), usage.requests(), usage.failed(),
          usage.cancelled(), usage.promptTokens(), usage.completionTokens(),
          usage.promptTokens() + usage.completionTokens());
    }
  }

  record UsageList(@JsonProperty("object") String object, @JsonProperty("data") List<UsageView> data) {}
}
