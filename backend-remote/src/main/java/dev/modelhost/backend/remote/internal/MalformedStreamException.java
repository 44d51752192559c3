package dev.modelhost.backend.remote.internal;

/** The upstream's answer broke the protocol (event stream or JSON); mapped to a 502. */
final class MalformedStreamException extends Exception {

  MalformedStreamException(String message) {
    super(message);
  }
}
