package dev.modelhost.spi;

import tools.jackson.databind.JsonNode;

/**
 * Optional capability of a {@link ModelRuntime}: relays OpenAI endpoints that core does not model
 * itself to the backend as JSON. A host finds it with {@code runtime instanceof PassThroughCapable}
 * and answers 404 for services whose runtime lacks it or does not {@link #supports support} the
 * endpoint. The endpoints are a closed set so that a request can never choose an upstream path.
 */
public interface PassThroughCapable {

  /** The relayed endpoints, with their path below {@code /v1/}. */
  enum Endpoint {
    EMBEDDINGS("embeddings"),
    IMAGES_GENERATIONS("images/generations");

    private final String path;

    Endpoint(String path) {
      this.path = path;
    }

    /** The path below {@code /v1/}, e.g. {@code embeddings}. */
    public String path() {
      return path;
    }
  }

  /** Whether this runtime relays {@code endpoint}. */
  boolean supports(Endpoint endpoint);

  /**
   * Sends the caller's JSON object {@code body} (its {@code model} names the service and is
   * replaced by the backend's own model id) through {@code replica} and returns the answer's JSON
   * object, whose {@code model}, when present, names the service again. Blocks until the answer is
   * complete.
   *
   * @param replica the replica of this runtime that the replica pool assigned to the call: the call
   *     uses its capacity, so it goes where that replica goes (a remote replica's endpoint)
   *
   * @throws dev.modelhost.exception.ModelhostException for a bad request (4xx) or a backend
   *     failure (5xx), as {@link Replica#execute} does
   */
  JsonNode passThrough(Endpoint endpoint, JsonNode body, Replica replica, Cancellation cancellation);
}
