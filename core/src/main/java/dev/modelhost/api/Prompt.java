package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.modelhost.exception.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Legacy completions {@code prompt}: a string, an array of strings, an array of token ids, or an
 * array of token-id arrays. Each element is one prompt; every prompt gets {@code n} choices.
 */
public final class Prompt {

  private final List<Object> items; // String or int[]
  private final boolean array;

  private Prompt(List<Object> items, boolean array) {
    this.items = List.copyOf(items);
    this.array = array;
  }

  public static Prompt of(String text) {
    return new Prompt(List.of(text), false);
  }

  public static Prompt ofStrings(List<String> texts) {
    return new Prompt(new ArrayList<>(texts), true);
  }

  public static Prompt ofTokens(int... tokens) {
    return new Prompt(List.of((Object) tokens.clone()), false);
  }

  /** Number of prompts. */
  public int size() {
    return items.size();
  }

  /** Whether prompt {@code i} is given as token ids. */
  public boolean isTokens(int i) {
    return items.get(i) instanceof int[];
  }

  /** Prompt {@code i} as text; fails if it was given as token ids. */
  public String text(int i) {
    if (items.get(i) instanceof String s) {
      return s;
    }
    throw new IllegalStateException("prompt " + i + " is token ids");
  }

  /** Prompt {@code i} as token ids; fails if it was given as text. */
  public int[] tokens(int i) {
    if (items.get(i) instanceof int[] t) {
      return t.clone();
    }
    throw new IllegalStateException("prompt " + i + " is text");
  }

  @JsonValue
  Object json() {
    if (!array && items.size() == 1) {
      return items.get(0);
    }
    return items;
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static Prompt fromJson(JsonNode node) {
    if (node.isString()) {
      return of(node.asString());
    }
    if (node.isArray() && !node.isEmpty()) {
      if (node.get(0).isIntegralNumber()) {
        return new Prompt(List.of((Object) tokenArray(node)), false);
      }
      List<Object> prompts = new ArrayList<>(node.size());
      for (JsonNode element : node) {
        if (element.isString()) {
          prompts.add(element.asString());
        } else if (element.isArray() && !element.isEmpty()) {
          prompts.add(tokenArray(element));
        } else {
          throw invalid();
        }
      }
      return new Prompt(prompts, true);
    }
    throw invalid();
  }

  private static int[] tokenArray(JsonNode node) {
    int[] tokens = new int[node.size()];
    for (int i = 0; i < tokens.length; i++) {
      JsonNode t = node.get(i);
      if (!t.isIntegralNumber() || !t.canConvertToInt() || t.asInt() < 0) {
        throw invalid();
      }
      tokens[i] = t.asInt();
    }
    return tokens;
  }

  private static InvalidRequestException invalid() {
    return new InvalidRequestException(
        "Invalid 'prompt': expected a non-empty string, array of strings, array of token ids, or"
            + " array of token-id arrays.",
        "prompt",
        "invalid_type");
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Prompt other) || other.items.size() != items.size() || other.array != array) {
      return false;
    }
    for (int i = 0; i < items.size(); i++) {
      Object a = items.get(i);
      Object b = other.items.get(i);
      boolean same = a instanceof int[] x && b instanceof int[] y ? java.util.Arrays.equals(x, y) : Objects.equals(a, b);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Boolean.hashCode(array);
    for (Object item : items) {
      h = 31 * h + (item instanceof int[] t ? java.util.Arrays.hashCode(t) : item.hashCode());
    }
    return h;
  }

  @Override
  public String toString() {
    return String.valueOf(json());
  }
}
