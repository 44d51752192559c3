package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.modelhost.exception.InvalidTypeException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Message content: either a plain string or an array of typed parts ({@code text},
 * {@code image_url}, {@code input_audio}, {@code file}). Written back in the form it was given.
 */
public final class MessageContent {

  private final @Nullable String string;
  private final @Nullable List<ContentPart> parts;

  private MessageContent(@Nullable String string, @Nullable List<ContentPart> parts) {
    this.string = string;
    this.parts = parts == null ? null : List.copyOf(parts);
  }

  public static MessageContent of(String text) {
    return new MessageContent(text, null);
  }

  public static MessageContent ofParts(List<ContentPart> parts) {
    return new MessageContent(null, parts);
  }

  /** True when given as an array of parts. */
  public boolean isParts() {
    return parts != null;
  }

  /** The parts; a plain string is one text part. */
  public List<ContentPart> parts() {
    return parts != null ? parts : List.of(ContentPart.text(string == null ? "" : string));
  }

  /** The text: the string, or the text parts joined with newlines. */
  public String text() {
    if (parts == null) {
      return string == null ? "" : string;
    }
    return parts.stream()
        .filter(p -> ContentPart.TEXT.equals(p.type()))
        .map(p -> p.text() == null ? "" : p.text())
        .collect(Collectors.joining("\n"));
  }

  @JsonValue
  Object json() {
    return parts != null ? parts : string;
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static MessageContent fromJson(JsonNode node) {
    if (node.isString()) {
      return of(node.asString());
    }
    if (node.isArray()) {
      List<ContentPart> parsed = new ArrayList<>(node.size());
      for (int i = 0; i < node.size(); i++) {
        JsonNode element = node.get(i);
        if (!element.isObject()) {
          throw new InvalidTypeException("content[" + i + "]", "an object", element.asToken());
        }
        try {
          parsed.add(Json.mapper().treeToValue(element, ContentPart.class));
        } catch (JacksonException e) {
          // The part was read on its own; its position in the array belongs to the error's path.
          throw e.prependPath(node, i);
        }
      }
      return ofParts(parsed);
    }
    throw new InvalidTypeException("content", "a string or an array of objects", node.asToken());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageContent other
        && java.util.Objects.equals(string, other.string)
        && java.util.Objects.equals(parts, other.parts);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(string, parts);
  }

  @Override
  public String toString() {
    return parts != null ? parts.toString() : String.valueOf(string);
  }
}
