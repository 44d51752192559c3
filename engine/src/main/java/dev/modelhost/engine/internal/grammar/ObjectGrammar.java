package dev.modelhost.engine.internal.grammar;

import static dev.modelhost.engine.internal.grammar.Grammar.choice;
import static dev.modelhost.engine.internal.grammar.Grammar.optional;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** The object part of {@link JsonSchemaGrammar}: {@code properties}, {@code required}, {@code additionalProperties}. */
final class ObjectGrammar {

  private record Member(Grammar grammar, boolean required) {}

  private final JsonSchemaGrammar schemas;
  private final String path;

  ObjectGrammar(JsonSchemaGrammar schemas, String path) {
    this.schemas = schemas;
    this.path = path;
  }

  Grammar of(Map<String, JsonNode> keywords) {
    JsonNode properties = keywords.get("properties");
    if (properties != null && !properties.isObject()) {
      throw schemas.invalid(path + "/properties", "'properties' must be an object");
    }
    Set<String> required = required(keywords.get("required"));
    JsonNode additional = keywords.get("additionalProperties");
    if (additional != null && !additional.isBoolean() && !additional.isObject()) {
      throw schemas.invalid(path + "/additionalProperties", "'additionalProperties' must be a schema");
    }
    boolean closed = additional != null && additional.isBoolean() && !additional.booleanValue();
    boolean anyAdditional = additional == null || (additional.isBoolean() && additional.booleanValue())
        || (additional.isObject() && additional.isEmpty());
    boolean declaresProperties = properties != null && !properties.isEmpty();
    if (declaresProperties && !closed && !anyAdditional) {
      throw schemas.unsupported("'additionalProperties' as a schema alongside 'properties'", path);
    }

    List<Member> members = new ArrayList<>();
    if (properties != null) {
      for (Map.Entry<String, JsonNode> property : properties.properties()) {
        String name = property.getKey();
        Grammar value = schemas.subschema(
            property.getValue(), path + "/properties/" + JsonSchemaGrammar.pointerSegment(name));
        members.add(new Member(JsonText.member(JsonSchemaGrammar.key(name), value), required.contains(name)));
      }
    }
    for (String name : required) {
      if (properties == null || !properties.has(name)) {
        if (closed) {
          throw schemas.invalid(
              path + "/required", "'" + name + "' is required but 'additionalProperties' is false");
        }
        Grammar value = anyAdditional
            ? JsonText.anyValue()
            : schemas.subschema(additional, path + "/additionalProperties");
        members.add(new Member(JsonText.member(JsonSchemaGrammar.key(name), value), true));
      }
    }
    if (members.isEmpty()) {
      if (closed) {
        return JsonText.object(Grammar.empty());
      }
      return anyAdditional
          ? JsonText.anyObject()
          : JsonText.map(schemas.subschema(additional, path + "/additionalProperties"));
    }
    return JsonText.object(first(members, 0));
  }

  private Set<String> required(JsonNode required) {
    Set<String> names = new LinkedHashSet<>();
    if (required == null) {
      return names;
    }
    if (!required.isArray()) {
      throw schemas.invalid(path + "/required", "'required' must be a list of property names");
    }
    for (JsonNode name : required) {
      if (!name.isString()) {
        throw schemas.invalid(path + "/required", "'required' must be a list of property names");
      }
      names.add(name.stringValue());
    }
    return names;
  }

  /**
   * The members from {@code from} on when none has been written yet: at least one of them (the
   * caller makes the whole optional when all are). Each choice of the first member present is
   * followed by the rest with commas, which keeps commas right whichever optional ones are left out.
   */
  private static Grammar first(List<Member> members, int from) {
    Member member = members.get(from);
    Grammar startingHere = sequence(member.grammar(), rest(members, from + 1));
    if (member.required()) {
      return startingHere;
    }
    if (from == members.size() - 1) {
      return optional(startingHere);
    }
    Grammar later = first(members, from + 1);
    return later instanceof Grammar.Repeat r && r.min() == 0
        ? optional(choice(startingHere, r.part()))
        : choice(startingHere, later);
  }

  /** The members from {@code from} on after one has been written: each behind a comma. */
  private static Grammar rest(List<Member> members, int from) {
    List<Grammar> parts = new ArrayList<>();
    for (Member member : members.subList(from, members.size())) {
      Grammar withComma = sequence(JsonText.COMMA, member.grammar());
      parts.add(member.required() ? withComma : optional(withComma));
    }
    return sequence(parts);
  }
}
