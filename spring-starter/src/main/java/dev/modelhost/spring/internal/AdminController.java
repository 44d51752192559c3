package dev.modelhost.spring.internal;

import dev.modelhost.ModelHost;
import dev.modelhost.ModelService;
import dev.modelhost.api.Json;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.PermissionDeniedException;
import dev.modelhost.spring.ApiKey;
import dev.modelhost.spring.ApiKeys;
import dev.modelhost.spring.KeyQuota;
import dev.modelhost.spring.store.UsageLedger;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.Comparator;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** The management API under {@code /admin}: services, API keys and usage. Admin key only. */
@RestController
public class AdminController {

  private final ModelHost host;
  private final ServiceCatalog catalog;
  private final ApiKeys keys;
  private final UsageEndpoints usage;
  private final RequestBodies bodies;
  private final @Nullable String publicBaseUrl;
  private final ObjectProvider<MetricsUsageSink> metrics;

  public AdminController(ModelHost host, ServiceCatalog catalog, ApiKeys keys, UsageLedger ledger,
      LedgerWriter writer, RequestBodies bodies, @Nullable String publicBaseUrl,
      ObjectProvider<MetricsUsageSink> metrics) {
    this.host = host;
    this.catalog = catalog;
    this.keys = keys;
    this.usage = new UsageEndpoints(ledger, writer);
    this.bodies = bodies;
    this.publicBaseUrl = publicBaseUrl;
    this.metrics = metrics;
  }

  @PostMapping("/admin/services")
  public void createService(HttpServletRequest request, HttpServletResponse response) throws IOException {
    requireAdmin(request);
    AdminJson.CreateService body = bodies.readStrict(request, AdminJson.CreateService.class);
    ModelService created = catalog.deploy(body.toSpec());
    metrics.ifAvailable(sink -> sink.watch(created.accessPath()));
    write(response, 201, AdminJson.ServiceView.of(created, baseUrl()));
  }

  @GetMapping("/admin/services")
  public void services(HttpServletRequest request, HttpServletResponse response) throws IOException {
    requireAdmin(request);
    String baseUrl = baseUrl();
    var views = host.services().stream().map(service -> AdminJson.ServiceView.of(service, baseUrl)).toList();
    write(response, 200, new AdminJson.ServiceList("list", views));
  }

  @GetMapping("/admin/services/{owner}/{name}")
  public void service(@PathVariable String owner, @PathVariable String name, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    requireAdmin(request);
    write(response, 200, AdminJson.ServiceView.of(host.describe(owner + "/" + name), baseUrl()));
  }

  @PostMapping("/admin/services/{owner}/{name}/scale")
  public void scale(@PathVariable String owner, @PathVariable String name, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    requireAdmin(request);
    AdminJson.Scale body = bodies.readStrict(request, AdminJson.Scale.class);
    if (body.replicas() == null) {
      throw new InvalidRequestException("'replicas' is required.", "replicas", "missing_required_parameter");
    }
    write(response, 200, AdminJson.ServiceView.of(catalog.scale(owner + "/" + name, body.replicas()), baseUrl()));
  }

  @DeleteMapping("/admin/services/{owner}/{name}")
  public void delete(@PathVariable String owner, @PathVariable String name,
      @RequestParam(name = "confirm", required = false) @Nullable String confirm, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    requireAdmin(request);
    // The host refuses a confirmation that does not repeat the name.
    catalog.delete(owner + "/" + name, confirm == null ? "" : confirm);
    write(response, 200, new AdminJson.Deleted(owner + "/" + name, "model_service", true));
  }

  @PostMapping("/admin/keys")
  public void createKey(HttpServletRequest request, HttpServletResponse response) throws IOException {
    requireAdmin(request);
    AdminJson.CreateKey body = bodies.readStrict(request, AdminJson.CreateKey.class);
    KeyQuota quota = body.quota() == null ? null : body.quota().toQuota();
    ApiKeys.CreatedKey created;
    if (Boolean.TRUE.equals(body.admin())) {
      if (body.owner() != null || body.expiresAt() != null || quota != null) {
        throw new InvalidRequestException("An admin key has no owner, expiry or quota.", "admin", "invalid_value");
      }
      created = keys.createAdmin();
    } else {
      if (body.owner() == null) {
        throw new InvalidRequestException("'owner' is required.", "owner", "missing_required_parameter");
      }
      created = keys.create(body.owner(), body.expiresAt() == null ? null : Instant.ofEpochSecond(body.expiresAt()));
    }
    ApiKey key = quota == null ? created.apiKey() : keys.setQuota(created.apiKey().id(), quota);
    write(response, 201, AdminJson.KeyView.of(key, created.key()));
  }

  @GetMapping("/admin/keys")
  public void listKeys(HttpServletRequest request, HttpServletResponse response) throws IOException {
    requireAdmin(request);
    var views = keys.list().stream()
        .sorted(Comparator.comparing(ApiKey::created))
        .map(key -> AdminJson.KeyView.of(key, null))
        .toList();
    write(response, 200, new AdminJson.KeyList("list", views));
  }

  @DeleteMapping("/admin/keys/{id}")
  public void revokeKey(@PathVariable String id, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    requireAdmin(request);
    ApiKey revoked = keys.revoke(id);
    write(response, 200, new AdminJson.Deleted(revoked.id(), "api_key", true));
  }

  @PostMapping("/admin/keys/{id}/quota")
  public void setQuota(@PathVariable String id, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    requireAdmin(request);
    AdminJson.QuotaBody body = bodies.readStrict(request, AdminJson.QuotaBody.class);
    write(response, 200, AdminJson.KeyView.of(keys.setQuota(id, body.toQuota()), null));
  }

  @GetMapping("/admin/usage")
  public void usage(HttpServletRequest request, HttpServletResponse response) throws IOException {
    requireAdmin(request);
    write(response, 200, usage.totals(request));
  }

  @GetMapping("/admin/usage/records")
  public void usageRecords(HttpServletRequest request, HttpServletResponse response) throws IOException {
    requireAdmin(request);
    usage.records(request, response);
  }

  @ExceptionHandler(Throwable.class)
  public void handle(Throwable error, HttpServletResponse response) throws IOException {
    HttpErrors.write(response, error);
  }

  private static void requireAdmin(HttpServletRequest request) {
    // The filter admits only admin keys here; this keeps the controller safe on its own.
    if (!ApiKeyFilter.key(request).admin()) {
      throw new PermissionDeniedException("The management API needs the admin key.");
    }
  }

  private String baseUrl() {
    if (publicBaseUrl != null && !publicBaseUrl.isBlank()) {
      return publicBaseUrl.replaceAll("/+$", "");
    }
    return ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
  }

  private static void write(HttpServletResponse response, int status, Object body) throws IOException {
    OpenAiController.writeJson(response, status, Json.mapper().writeValueAsBytes(body));
  }
}
