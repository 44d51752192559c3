package dev.modelhost.exception;

import org.jspecify.annotations.Nullable;

/**
 * A setting is invalid: a {@code ServiceSpec} field, a backend option, a property of an
 * integration. Raised where the setting is given, before anything runs. When a setting arrives in
 * an HTTP request (the management API), it is answered like any invalid request: 400 naming the
 * setting in {@code param}.
 */
public class ConfigurationException extends ModelhostException {

  /**
   * @param setting the setting at fault, e.g. {@code replicas}, {@code options.threads},
   *     {@code modelhost.public-url}
   */
  public ConfigurationException(String message, @Nullable String setting, @Nullable String code) {
    super(message, 400, "invalid_request_error", setting, code, null);
  }

  public ConfigurationException(String message, @Nullable String setting) {
    this(message, setting, "invalid_value");
  }
}
