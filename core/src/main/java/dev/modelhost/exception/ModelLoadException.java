package dev.modelhost.exception;

import org.jspecify.annotations.Nullable;

/** A model could not be loaded: missing or unsupported files, bad configuration, native failure. */
public class ModelLoadException extends ModelhostException {

  public ModelLoadException(String message, @Nullable Throwable cause) {
    super(message, 500, "server_error", null, "model_load_failed", cause);
  }

  public ModelLoadException(String message) {
    this(message, null);
  }
}
