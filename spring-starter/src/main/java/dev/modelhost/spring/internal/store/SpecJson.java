package dev.modelhost.spring.internal.store;

import dev.modelhost.BillingMethod;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.Json;
import dev.modelhost.spi.ModelSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A {@link ServiceSpec} as the JSON text the JDBC store keeps. */
final class SpecJson {

  private SpecJson() {}

  static String write(ServiceSpec spec) {
    ObjectNode node = Json.mapper().createObjectNode()
        .put("owner", spec.owner())
        .put("name", spec.name())
        .put("backend", spec.backend())
        .put("location", spec.source().location())
        .put("model_type", spec.modelType())
        .put("replicas", spec.replicas())
        .put("queue_capacity", spec.queueCapacity())
        .put("request_timeout_ms", spec.requestTimeout().toMillis())
        .put("max_choices", spec.maxChoices());
    ObjectNode options = node.putObject("options");
    spec.source().options().forEach(options::put);
    node.putObject("billing")
        .put("type", spec.billing().type())
        .put("prompt_price_per_million", spec.billing().promptPricePerMillion())
        .put("completion_price_per_million", spec.billing().completionPricePerMillion())
        .put("currency", spec.billing().currency());
    return Json.mapper().writeValueAsString(node);
  }

  static ServiceSpec read(String json) {
    JsonNode node = Json.mapper().readTree(json);
    Map<String, String> options = new LinkedHashMap<>();
    node.path("options").properties().forEach(e -> options.put(e.getKey(), e.getValue().asString()));
    JsonNode billing = node.path("billing");
    JsonNode modelType = node.path("model_type");
    return ServiceSpec.builder(node.path("owner").asString(), node.path("name").asString())
        .backend(node.path("backend").asString())
        .source(new ModelSource(node.path("location").asString(), options))
        .modelType(modelType.isNull() || modelType.isMissingNode() ? null : modelType.asString())
        .replicas(node.path("replicas").asInt())
        .queueCapacity(node.path("queue_capacity").asInt())
        .requestTimeout(Duration.ofMillis(node.path("request_timeout_ms").asLong()))
        .maxChoices(node.path("max_choices").asInt())
        .billing(new BillingMethod(billing.path("type").asString(), billing.path("prompt_price_per_million").decimalValue(),
            billing.path("completion_price_per_million").decimalValue(), billing.path("currency").asString()))
        .build();
  }
}
