package dev.modelhost.backend.remote.internal;

import dev.modelhost.api.Json;
import dev.modelhost.backend.remote.RemoteBackendProvider;
import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Picks the upstream model of a service that does not name one: asks {@code GET <base>/models} at
 * load time. One model offered: that one. Several: the one called like the service, else the load
 * fails naming what the upstream offers.
 */
final class UpstreamModels {

  /** A model list is small; anything longer is not one. */
  static final int MAX_LIST_BYTES = 4 * 1024 * 1024;

  private UpstreamModels() {}

  /** The upstream model for the service {@code accessPath} (null: the service's name is unknown). */
  static String discover(RemoteConfig config, @Nullable String accessPath) {
    return choose(list(config), accessPath);
  }

  static String choose(List<String> offered, @Nullable String accessPath) {
    if (offered.size() == 1) {
      return offered.get(0);
    }
    if (accessPath != null && offered.contains(accessPath)) {
      return accessPath;
    }
    String option = "set the option '" + RemoteBackendProvider.UPSTREAM_MODEL + "'";
    if (offered.isEmpty()) {
      throw new ModelLoadException("The upstream lists no models at GET /models; " + option + ".");
    }
    throw new ModelLoadException("The upstream serves " + offered.size() + " models (" + String.join(", ", offered)
        + ")" + (accessPath == null ? "" : " and none is called '" + accessPath + "'") + "; " + option
        + " to one of them.");
  }

  /** The model ids of the first endpoint that answers, in its order. */
  static List<String> list(RemoteConfig config) {
    HttpClient client = HttpClient.newBuilder()
        .connectTimeout(config.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    List<String> failures = new ArrayList<>();
    for (URI baseUrl : config.baseUrls()) {
      URI url = URI.create(baseUrl + "/models");
      HttpRequest.Builder request = HttpRequest.newBuilder(url)
          .version(config.httpVersionFor(baseUrl))
          .timeout(config.firstByteTimeout())
          .header("Accept", "application/json")
          .GET();
      if (config.apiKey() != null) {
        request.header("Authorization", "Bearer " + config.apiKey());
      }
      try {
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
          byte[] bytes = body.readNBytes(MAX_LIST_BYTES);
          if (response.statusCode() != 200) {
            failures.add("GET " + url + " answered HTTP " + response.statusCode());
            continue;
          }
          List<String> ids = modelIds(bytes);
          if (ids != null) {
            return ids;
          }
          failures.add("GET " + url + " did not answer an OpenAI model list");
        }
      } catch (IOException e) {
        failures.add("GET " + url + " failed: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelLoadException("Interrupted while asking the upstream for its models.", e);
      }
    }
    throw new ModelLoadException("Could not ask the upstream which model to use (" + String.join("; ", failures)
        + "); set the option '" + RemoteBackendProvider.UPSTREAM_MODEL + "'.");
  }

  /** {@code data[].id} of {@code {"object": "list", "data": [...]}}; null when it is not one. */
  private static @Nullable List<String> modelIds(byte[] body) {
    JsonNode list;
    try {
      list = Json.mapper().readTree(body);
    } catch (JacksonException e) {
      return null;
    }
    JsonNode data = list.get("data");
    if (data == null || !data.isArray()) {
      return null;
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode model : data) {
      JsonNode id = model.get("id");
      if (id == null || !id.isString()) {
        return null;
      }
      ids.add(id.asString());
    }
    return ids;
  }
}
