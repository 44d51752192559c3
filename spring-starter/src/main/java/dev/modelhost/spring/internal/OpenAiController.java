package dev.modelhost.spring.internal;

import dev.modelhost.Caller;
import dev.modelhost.ModelHost;
import dev.modelhost.ResponseStream;
import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.Completion;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.Json;
import dev.modelhost.api.ModelList;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.spi.PassThroughCapable;
import dev.modelhost.spring.ApiKey;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI's inference routes. Bodies are read and written with {@link Json#mapper()}; a key sees
 * only its owner's services, and another owner's service answers exactly like one that does not
 * exist.
 */
@RestController
public class OpenAiController {

  private final ModelHost host;
  private final RequestBodies bodies;
  private final RequestAdmission admission;

  public OpenAiController(ModelHost host, RequestBodies bodies, RequestAdmission admission) {
    this.host = host;
    this.bodies = bodies;
    this.admission = admission;
  }

  @PostMapping("/v1/chat/completions")
  public void chat(HttpServletRequest request, HttpServletResponse response) throws IOException {
    ApiKey key = ApiKeyFilter.key(request);
    ChatCompletionRequest body = bodies.read(request, ChatCompletionRequest.class);
    checkAccess(key, body.model());
    Caller caller = new Caller(key.id());
    try (QuotaGate.Ticket ticket = admission.admit(key, body.model(), body.completionTokenLimit(), body.choiceCount(),
        bodyBytes(request, body))) {
      if (body.isStream()) {
        ResponseStream<ChatCompletionChunk> stream = host.streamChat(body, caller);
        ticket.requestId(stream.id());
        boolean usageRequested = body.includeUsageInStream();
        SseWriter.write(stream, chunk -> Json.streamEvent(chunk, usageRequested), response, admission.revocation(key),
            () -> admission.awaitRecorded(stream.id()));
      } else {
        ChatCompletion completion = host.chat(body, caller);
        ticket.requestId(completion.id());
        admission.awaitRecorded(completion.id());
        writeJson(response, Json.mapper().writeValueAsBytes(completion));
      }
    }
  }

  @PostMapping("/v1/completions")
  public void complete(HttpServletRequest request, HttpServletResponse response) throws IOException {
    ApiKey key = ApiKeyFilter.key(request);
    CompletionRequest body = bodies.read(request, CompletionRequest.class);
    checkAccess(key, body.model());
    Caller caller = new Caller(key.id());
    try (QuotaGate.Ticket ticket = admission.admit(key, body.model(), body.maxTokens(), body.choiceCount(),
        bodyBytes(request, body))) {
      if (body.isStream()) {
        ResponseStream<Completion> stream = host.streamComplete(body, caller);
        ticket.requestId(stream.id());
        boolean usageRequested = body.includeUsageInStream();
        SseWriter.write(stream, event -> Json.streamEvent(event, usageRequested), response, admission.revocation(key),
            () -> admission.awaitRecorded(stream.id()));
      } else {
        Completion completion = host.complete(body, caller);
        ticket.requestId(completion.id());
        admission.awaitRecorded(completion.id());
        writeJson(response, Json.mapper().writeValueAsBytes(completion));
      }
    }
  }

  @PostMapping("/v1/embeddings")
  public void embeddings(HttpServletRequest request, HttpServletResponse response) throws IOException {
    passThrough(PassThroughCapable.Endpoint.EMBEDDINGS, request, response);
  }

  @PostMapping("/v1/images/generations")
  public void generateImages(HttpServletRequest request, HttpServletResponse response) throws IOException {
    passThrough(PassThroughCapable.Endpoint.IMAGES_GENERATIONS, request, response);
  }

  /**
   * Relays the JSON body to a service whose backend serves {@code endpoint} and writes the answer
   * once complete. A client that leaves meanwhile is not noticed, as for a non-streamed chat:
   * servlet containers report a vanished client only when it is written to, so the call runs to
   * its end, bounded by the backend's own timeouts.
   */
  private void passThrough(PassThroughCapable.Endpoint endpoint, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    ApiKey key = ApiKeyFilter.key(request);
    JsonNode body = bodies.read(request, JsonNode.class);
    JsonNode modelNode = body.get("model");
    // A missing or mistyped model is left to the host, which names the parameter.
    @Nullable String model = modelNode != null && modelNode.isString() ? modelNode.asString() : null;
    checkAccess(key, model);
    // A relayed request's tokens are unknown before it runs; it reserves none.
    try (QuotaGate.Ticket ticket = admission.admit(key, model, 0, 0, request.getContentLengthLong())) {
      writeJson(response, Json.mapper().writeValueAsBytes(host.passThrough(endpoint, body, new Caller(key.id()))));
    }
  }

  @GetMapping("/v1/models")
  public void models(HttpServletRequest request, HttpServletResponse response) throws IOException {
    ApiKey key = ApiKeyFilter.key(request);
    List<ModelList.Model> visible =
        host.models().data().stream().filter(model -> key.mayUse(model.id())).toList();
    writeJson(response, Json.mapper().writeValueAsBytes(ModelList.of(visible)));
  }

  /** The id {@code owner/name} as two segments, as curl and most clients send it. */
  @GetMapping("/v1/models/{owner}/{name}")
  public void model(@PathVariable String owner, @PathVariable String name, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    model(owner + "/" + name, request, response);
  }

  /** The id as one segment with an encoded slash ({@code owner%2Fname}), as the OpenAI SDKs send it. */
  @GetMapping("/v1/models/{id}")
  public void model(@PathVariable String id, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    ApiKey key = ApiKeyFilter.key(request);
    checkAccess(key, id);
    ModelList.Model model = host.models().data().stream()
        .filter(candidate -> candidate.id().equals(id))
        .findFirst()
        .orElseThrow(() -> NotFoundException.model(id));
    writeJson(response, Json.mapper().writeValueAsBytes(model));
  }

  @ExceptionHandler(Throwable.class)
  public void handle(Throwable error, HttpServletResponse response) throws IOException {
    HttpErrors.write(response, error);
  }

  /** The body's size, for the quota's prompt estimate; a chunked body's is measured again. */
  private static long bodyBytes(HttpServletRequest request, Object body) {
    long declared = request.getContentLengthLong();
    return declared >= 0 ? declared : Json.mapper().writeValueAsBytes(body).length;
  }

  private static void checkAccess(ApiKey key, @Nullable String model) {
    // A missing model is left to the host's validation, which names the parameter.
    if (model != null && !key.mayUse(model)) {
      throw NotFoundException.model(model);
    }
  }

  static void writeJson(HttpServletResponse response, byte[] json) throws IOException {
    writeJson(response, 200, json);
  }

  static void writeJson(HttpServletResponse response, int status, byte[] json) throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(json.length);
    response.getOutputStream().write(json);
  }
}
