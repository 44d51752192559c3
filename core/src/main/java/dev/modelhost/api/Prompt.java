package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.InvalidTypeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Legacy completions {@code prompt}: a string, an array of strings, an array of token ids, or an
 * array of token-id arrays. Each element is one prompt; every prompt gets {@code n} choices.
 */
public final class Prompt {

  private static final String EXPECTED =
      "a string, an array of strings, an array of integers, or an array of arrays of integers";

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
    if (!node.isArray()) {
      throw new InvalidTypeException("prompt", EXPECTED, node.asToken());
    }
    if (node.isEmpty()) {
      throw empty("prompt");
    }
    if (node.get(0).isNumber()) {
      return new Prompt(List.of((Object) tokenArray(node, "prompt")), false);
    }
    List<Object> prompts = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode element = node.get(i);
      String param = "prompt[" + i + "]";
      if (element.isString()) {
        prompts.add(element.asString());
      } else if (element.isArray()) {
        if (element.isEmpty()) {
          throw empty(param);
        }
        prompts.add(tokenArray(element, param));
      } else {
        throw new InvalidTypeException(param, "a string or an array of integers", element.asToken());
      }
    }
    return new Prompt(prompts, true);
  }

  private static int[] tokenArray(JsonNode node, String param) {
    int[] tokens = new int[node.size()];
    for (int i = 0; i < tokens.length; i++) {
      JsonNode t = node.get(i);
      if (!t.isIntegralNumber()) {
        throw new InvalidTypeException(param + "[" + i + "]", "an integer", t.asToken());
      }
      if (!t.canConvertToInt() || t.asInt() < 0) {
        throw new InvalidRequestException(
            "Invalid value for '" + param + "[" + i + "]': a token id is a non-negative integer.",
            param + "[" + i + "]",
            "invalid_value");
      }
      tokens[i] = t.asInt();
    }
    return tokens;
  }

  private static InvalidRequestException empty(String param) {
    return new InvalidRequestException(
        "Invalid value for '" + param + "': the array must not be empty.", param, "invalid_value");
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
