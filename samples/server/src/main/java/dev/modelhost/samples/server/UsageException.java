package dev.modelhost.samples.server;

/**
 * The command line or the configuration it names cannot be used as given; the program prints the
 * message and exits with status 2.
 */
final class UsageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
