package dev.modelhost.spring.internal;

import dev.modelhost.ModelHost;
import dev.modelhost.ModelService;
import dev.modelhost.api.Json;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.PermissionDeniedException;
import dev.modelhost.spring.ApiKey;
import dev.modelhost.spring.ApiKeys;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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

/** The management API under {@code /admin}: services, API keys and usage. Admin key only. */
@RestController
public class AdminController {

  private final ModelHost host;
  private final ApiKeys keys;
  private final UsageAggregator usage;
  private final RequestBodies bodies;
  private final @Nullable String publicUrl;
  private final ObjectProvider<MetricsUsageSink> metrics;

  public AdminController(ModelHost host, ApiKeys keys, UsageAggregator usage, RequestBodies bodies,
      @Nullable String publicUrl, ObjectProvider<MetricsUsageSink> metrics) {
    this.host = host;
    this.keys = keys;
    this.usage = usage;
    this.bodies = bodies;
    this.publicUrl = CallExamples.checkedPublicUrl(publicUrl);
    this.metrics = metrics;
  }

  @PostMapping("/admin/services")
  public void createService(HttpServletRequest request, HttpServletResponse response) throws IOException {
    requireAdmin(request);
    AdminJson.CreateService body = bodies.readStrict(request, AdminJson.CreateService.class);
    ModelService created = host.deploy(body.toSpec());
    metrics.ifAvailable(sink -> sink.watch(created.accessPath()));
    write(response, 201, AdminJson.ServiceView.of(created, baseUrl(request)));
  }

  @GetMapping("/admin/services")
  public void services(HttpServletRequest request, HttpServletResponse response) throws IOException {
    requireAdmin(request);
    String baseUrl = baseUrl(request);
    var views = host.services().stream().map(service -> AdminJson.ServiceView.of(service, baseUrl)).toList();
    write(response, 200, new AdminJson.ServiceList("list", views));
  }

  @GetMapping("/admin/services/{owner}/{name}")
  public void service(@PathVariable String owner, @PathVariable String name, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    requireAdmin(request);
    write(response, 200, AdminJson.ServiceView.of(host.describe(owner + "/" + name), baseUrl(request)));
  }

  @PostMapping("/admin/services/{owner}/{name}/scale")
  public void scale(@PathVariable String owner, @PathVariable String name, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    requireAdmin(request);
    AdminJson.Scale body = bodies.readStrict(request, AdminJson.Scale.class);
    if (body.replicas() == null) {
      throw new InvalidRequestException("'replicas' is required.", "replicas", "missing_required_parameter");
    }
    write(response, 200, AdminJson.ServiceView.of(host.scale(owner + "/" + name, body.replicas()), baseUrl(request)));
  }

  @DeleteMapping("/admin/services/{owner}/{name}")
  public void delete(@PathVariable String owner, @PathVariable String name,
      @RequestParam(name = "confirm", required = false) @Nullable String confirm, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    requireAdmin(request);
    String accessPath = owner + "/" + name;
    host.describe(accessPath); // an unknown service is a 404 whatever the confirmation
    if (!name.equals(confirm)) {
      throw new InvalidRequestException("To delete the model service `" + accessPath + "`, confirm with its name `"
          + name + "`; got `" + (confirm == null ? "" : confirm) + "`.", "confirm",
          "invalid_value");
    }
    host.delete(accessPath);
    write(response, 200, new AdminJson.Deleted(owner + "/" + name, "model_service", true));
  }

  @PostMapping("/admin/keys")
  public void createKey(HttpServletRequest request, HttpServletResponse response) throws IOException {
    requireAdmin(request);
    AdminJson.CreateKey body = bodies.readStrict(request, AdminJson.CreateKey.class);
    if (body.owner() == null) {
      throw new InvalidRequestException("'owner' is required.", "owner", "missing_required_parameter");
    }
    ApiKeys.CreatedKey created = keys.create(body.owner());
    write(response, 201, AdminJson.KeyView.of(created.apiKey(), created.key()));
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

  @GetMapping("/admin/usage")
  public void usage(@RequestParam(name = "owner", required = false) @Nullable String owner,
      @RequestParam(name = "service", required = false) @Nullable String service, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    requireAdmin(request);
    var views = usage.usage(blankToNull(owner), blankToNull(service)).stream().map(AdminJson.UsageView::of).toList();
    write(response, 200, new AdminJson.UsageList("list", views));
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

  private String baseUrl(HttpServletRequest request) {
    return CallExamples.baseUrl(publicUrl, request);
  }

  private static @Nullable String blankToNull(@Nullable String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static void write(HttpServletResponse response, int status, Object body) throws IOException {
    OpenAiController.writeJson(response, status, Json.mapper().writeValueAsBytes(body));
  }
}
