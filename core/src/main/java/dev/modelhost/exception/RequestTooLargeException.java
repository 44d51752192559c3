package dev.modelhost.exception;

/** The request body is larger than the server accepts (HTTP 413). */
public class RequestTooLargeException extends InvalidRequestException {

  public RequestTooLargeException(long limitBytes) {
    super("Request body exceeds the limit of " + limitBytes + " bytes.", 413, null, "request_too_large");
  }
}
