package dev.modelhost.engine.internal.jinja;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * One Jinja2 behaviour per small template (precedence, whitespace control, scoping, undefined
 * values, the sandbox, filters, tests, Python methods), each compared with what Python's Jinja2
 * rendered for it ({@code tools/chat-templates/render_expected.py}).
 */
class TemplateSemanticsTest {

  private static final Path ROOT = Path.of("src/test/resources/chat-templates");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-15T10:30:05Z"), ZoneOffset.UTC);
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  static Stream<Arguments> cases() throws IOException {
    JsonNode cases = Json.mapper().readTree(Files.readString(ROOT.resolve("semantics.json")));
    JsonNode expected = Json.mapper().readTree(Files.readString(ROOT.resolve("semantics-expected.json")));
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : cases) {
      String name = c.get("name").asString();
      out.add(Arguments.of(name, c.get("template").asString(), Json.mapper().convertValue(c.get("variables"), MAP), expected.get(name)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rendersAsJinja2Does(String name, String source, Map<String, Object> variables, JsonNode expected) {
    Template template = Template.parse(source);
    if (expected.has("output")) {
      assertThat(template.render(variables, CLOCK)).isEqualTo(expected.get("output").asString());
    } else if (expected.has("raise_exception")) {
      assertThatThrownBy(() -> template.render(variables, CLOCK))
          .isInstanceOf(TemplateException.Raised.class)
          .hasMessage(expected.get("raise_exception").asString());
    } else {
      assertThatThrownBy(() -> template.render(variables, CLOCK)).isInstanceOf(TemplateException.Runtime.class);
    }
  }
}
