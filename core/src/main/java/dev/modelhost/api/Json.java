package dev.modelhost.api;

import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.InvalidTypeException;
import dev.modelhost.exception.ModelhostException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * The JSON mapper that reads and writes the wire types, configured once.
 *
 * <p>Reading is as strict about types as OpenAI: no string for a number ({@code "0.5"}), no
 * decimal for an integer ({@code "n": 1.5}), no number or boolean for a string. Unknown fields are
 * ignored so that newer clients keep working. Properties are written in declaration order, which is
 * OpenAI's order.
 */
public final class Json {

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .withCoercionConfig(
              LogicalType.Textual,
              c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                  .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                  .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .build();

  private Json() {}

  /** A shared, thread-safe mapper for the wire types. */
  public static JsonMapper mapper() {
    return MAPPER;
  }

  /**
   * Reads a request body. Any problem with the JSON is a {@link ModelhostException}: an {@link
   * InvalidRequestException} (HTTP 400) whose {@code param} names the field at fault, as {@link
   * ErrorMapper} maps it.
   */
  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JacksonException e) {
      throw translated(e);
    }
  }

  /** Reads a request body given as UTF-8 bytes; see {@link #read(String, Class)}. */
  public static <T> T read(byte[] json, Class<T> type) {
    return read(text(json), type);
  }

  /** Reads a request body from a stream, which is not closed; see {@link #read(String, Class)}. */
  public static <T> T read(InputStream json, Class<T> type) {
    try {
      return read(json.readAllBytes(), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A body as UTF-8 text, the only encoding JSON between systems may use (RFC 8259, 8.1). Decoding
   * it strictly here keeps Jackson from guessing UTF-16 or UTF-32 from the first bytes, which turns
   * some malformed bodies into I/O errors instead of parse errors. A leading byte order mark is
   * skipped, as parsers may.
   *
   * @throws InvalidRequestException when the bytes are not UTF-8
   */
  public static String text(byte[] json) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(json))
          .toString();
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      throw new InvalidRequestException(ErrorMapper.UNPARSABLE_BODY_MESSAGE, null, null);
    }
  }

  private static RuntimeException translated(JacksonException e) {
    ModelhostException mapped = ErrorMapper.asModelhostException(e);
    // Not the request's fault (an I/O failure, a badly declared type): left as it is.
    return mapped != null ? mapped : e;
  }

  static List<String> stringOrStringArray(JsonNode node, String param) {
    if (node.isString()) {
      return List.of(node.asString());
    }
    if (node.isArray()) {
      List<String> values = new ArrayList<>(node.size());
      for (int i = 0; i < node.size(); i++) {
        JsonNode element = node.get(i);
        if (!element.isString()) {
          throw new InvalidTypeException(param + "[" + i + "]", "a string", element.asToken());
        }
        values.add(element.asString());
      }
      return values;
    }
    throw new InvalidTypeException(param, "a string or an array of strings", node.asToken());
  }

  /** An immutable copy of a request list that names the first null element as the error. */
  static <T> @Nullable List<T> copyOfElements(@Nullable List<T> list, String param, String expected) {
    if (list == null) {
      return null;
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null) {
        throw new InvalidTypeException(param + "[" + i + "]", expected, tools.jackson.core.JsonToken.VALUE_NULL);
      }
    }
    return List.copyOf(list);
  }

  /** An immutable copy of a request map that names the first null value as the error. */
  static <V> @Nullable Map<String, V> copyOfValues(@Nullable Map<String, V> map, String param, String expected) {
    if (map == null) {
      return null;
    }
    for (Map.Entry<String, V> entry : map.entrySet()) {
      if (entry.getValue() == null) {
        throw new InvalidTypeException(
            param + "." + entry.getKey(), expected, tools.jackson.core.JsonToken.VALUE_NULL);
      }
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** An immutable copy of a list that may hold nulls (legacy logprobs do). */
  static <T> List<@Nullable T> copyWithNulls(List<@Nullable T> list) {
    return Collections.unmodifiableList(new ArrayList<>(list));
  }

  /**
   * One event of a stream as JSON. A stream asked for usage ({@code stream_options.include_usage},
   * {@link ChatCompletionRequest#includeUsageInStream()}) writes {@code "usage": null} in every
   * chunk before its usage chunk, as OpenAI does; a stream not asked leaves the field out.
   */
  public static byte[] streamEvent(ChatCompletionChunk chunk, boolean usageRequested) {
    return MAPPER.writeValueAsBytes(chunk.json(usageRequested));
  }

  /** One event of a legacy completion stream as JSON; see {@link #streamEvent(ChatCompletionChunk, boolean)}. */
  public static byte[] streamEvent(Completion event, boolean usageRequested) {
    return MAPPER.writeValueAsBytes(event.json(usageRequested));
  }

  /**
   * The fields a response object and a stream event share, in OpenAI's order: {@code usage} is
   * written (possibly as {@code null}) only when {@code writeUsage}.
   */
  static Map<String, Object> responseFields(String id, String object, long created, String model,
      @Nullable String systemFingerprint, List<?> choices, @Nullable Usage usage, boolean writeUsage) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", id);
    json.put("object", object);
    json.put("created", created);
    json.put("model", model);
    if (systemFingerprint != null) {
      json.put("system_fingerprint", systemFingerprint);
    }
    json.put("choices", choices);
    if (writeUsage) {
      json.put("usage", usage);
    }
    return json;
  }
}
