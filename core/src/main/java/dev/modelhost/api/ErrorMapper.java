package dev.modelhost.api;

import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.InvalidTypeException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.OverloadedException;
import java.io.CharConversionException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * The one place where errors become OpenAI error responses. A {@link ModelhostException} says its
 * own status and fields; a failure to read a request body's JSON is a 400 that names the field at
 * fault; anything else is a 500 whose text is never shown to the caller (it may hold secrets) and
 * is logged here instead.
 */
public final class ErrorMapper {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

  /** What OpenAI answers to a body that is not JSON. */
  public static final String UNPARSABLE_BODY_MESSAGE =
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using"
          + " your HTTP library correctly. The API expects a JSON payload, but what was sent was not"
          + " valid JSON.)";

  /** The only text a caller sees of an unexpected server fault. */
  public static final String SERVER_ERROR_MESSAGE =
      "The server had an error while processing your request. Sorry about that!";

  // Deep enough for any real wrapping; bounds the walk if a cause chain loops.
  private static final int MAX_CAUSE_DEPTH = 16;

  private ErrorMapper() {}

  /**
   * An error response: HTTP status, body, and for overload and rate-limit errors how long the
   * caller should wait.
   */
  public record MappedError(int status, ErrorResponse body, @Nullable Duration retryAfter) {

    /** The {@code Retry-After} header value in whole seconds (rounded up, at least 1), or null. */
    public @Nullable String retryAfterHeader() {
      if (retryAfter == null) {
        return null;
      }
      long millis = Math.max(1, retryAfter.toMillis());
      return Long.toString((millis + 999) / 1000);
    }
  }

  /** The response for {@code error}. Never fails. */
  public static MappedError map(Throwable error) {
    ModelhostException e = asModelhostException(error);
    if (e == null) {
      LOG.error("Unexpected error while serving a request", error);
      return new MappedError(500, ErrorResponse.of(SERVER_ERROR_MESSAGE, "server_error", null, null), null);
    }
    String message = e.getMessage() == null ? SERVER_ERROR_MESSAGE : e.getMessage();
    Duration retryAfter = e instanceof OverloadedException o ? o.retryAfter() : null;
    return new MappedError(
        e.httpStatus(), ErrorResponse.of(message, e.type(), e.param(), e.code()), retryAfter);
  }

  /** The JSON body of {@code error}. */
  public static String toJson(MappedError error) {
    return Json.mapper().writeValueAsString(error.body());
  }

  /**
   * The {@link ModelhostException} that {@code error} stands for: itself; the one it wraps (through
   * Jackson, {@link CompletionException} and {@link ExecutionException} wrappers); or, for a
   * request body that could not be read, an {@link InvalidRequestException} naming the field at
   * fault. Null when {@code error} is a server fault.
   */
  public static @Nullable ModelhostException asModelhostException(Throwable error) {
    JacksonException jackson = null;
    Throwable t = error;
    for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof ModelhostException e) {
        return jackson != null && e instanceof InvalidTypeException typed && !jackson.getPath().isEmpty()
            ? typed.at(param(jackson.getPath()))
            : e;
      }
      if (t instanceof JacksonException j) {
        // The outermost one carries the whole path from the document root.
        jackson = jackson == null ? j : jackson;
      } else if (!(t instanceof CompletionException || t instanceof ExecutionException)) {
        break;
      }
    }
    return jackson == null ? null : fromJackson(jackson);
  }

  private static @Nullable ModelhostException fromJackson(JacksonException outer) {
    String param = outer.getPath().isEmpty() ? null : param(outer.getPath());
    Throwable t = outer;
    for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof InputCoercionException) {
        return new InvalidRequestException(
            param == null
                ? "A number in the request is out of range."
                : "Invalid value for '" + param + "': the number is out of range.",
            param,
            "invalid_value");
      }
      if (t instanceof StreamConstraintsException limit && raisedWhileReading(limit)) {
        return new InvalidRequestException(
            "The JSON body of your request exceeds a size limit (nesting depth, number, string or"
                + " document length).",
            param,
            null);
      }
      if (t instanceof StreamReadException || t instanceof CharConversionException) {
        // CharConversionException: bytes that Jackson's encoding detection took for UTF-16/32 and
        // that are not valid in it.
        return new InvalidRequestException(UNPARSABLE_BODY_MESSAGE, null, null);
      }
    }
    if (outer instanceof UnrecognizedPropertyException && param != null) {
      // Only strict readers (the management API) refuse unknown fields; inference bodies ignore them.
      return new InvalidRequestException("Unknown parameter: '" + param + "'.", param, "unknown_parameter");
    }
    if (outer instanceof MismatchedInputException mismatch) {
      if (param == null) {
        // Empty body, or a JSON value that is not an object where the body must be one.
        return new InvalidRequestException(UNPARSABLE_BODY_MESSAGE, null, null);
      }
      return new InvalidTypeException(param, expected(mismatch.getTargetType()), mismatch.getCurrentToken());
    }
    if (outer instanceof ValueInstantiationException) {
      // A wire type's constructor refused the value: bad input, whatever the exception.
      return new InvalidRequestException(
          param == null ? "Invalid request body." : "Invalid value for '" + param + "'.",
          param,
          "invalid_value");
    }
    // Writing failed, or a type is badly declared: a server fault.
    return null;
  }

  // The same exception type reports read and write limits; only the read ones are the request's fault.
  private static boolean raisedWhileReading(StreamConstraintsException limit) {
    for (StackTraceElement frame : limit.getStackTrace()) {
      if (frame.getClassName().equals(StreamReadConstraints.class.getName())) {
        return true;
      }
    }
    return false;
  }

  /** A Jackson path as OpenAI writes a {@code param}: {@code messages[0].content}. */
  private static String param(List<JacksonException.Reference> path) {
    StringBuilder param = new StringBuilder();
    for (JacksonException.Reference ref : path) {
      if (ref.getPropertyName() != null) {
        if (!param.isEmpty()) {
          param.append('.');
        }
        param.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        param.append('[').append(ref.getIndex()).append(']');
      }
    }
    return param.toString();
  }

  private static String expected(@Nullable Class<?> target) {
    if (target == null) {
      return "another type";
    }
    if (target == Double.class || target == double.class || target == Float.class || target == float.class
        || target == BigDecimal.class) {
      return "a decimal";
    }
    if (target == Integer.class || target == int.class || target == Long.class || target == long.class
        || target == Short.class || target == short.class || target == BigInteger.class) {
      return "an integer";
    }
    if (target == Boolean.class || target == boolean.class) {
      return "a boolean";
    }
    if (CharSequence.class.isAssignableFrom(target)) {
      return "a string";
    }
    if (Collection.class.isAssignableFrom(target) || target.isArray()) {
      return "an array";
    }
    return "an object";
  }
}
