package dev.modelhost.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.Json;
import dev.modelhost.api.Tool;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * Real models' chat templates (llama.cpp's {@code models/templates}, see SOURCES.md) rendered for
 * a set of conversations and compared with what Python's Jinja2, set up as transformers sets it
 * up, rendered for the same inputs ({@code tools/chat-templates/render_expected.py}).
 */
class ChatTemplateCorpusTest {

  private static final Path ROOT = Path.of("src/test/resources/chat-templates");
  /** The instant the expected renderings were made at (strftime_now). */
  static final Clock CORPUS_CLOCK = Clock.fixed(Instant.parse("2026-01-15T10:30:05Z"), ZoneOffset.UTC);

  private final JsonNode corpus = Json.mapper().readTree(read(ROOT.resolve("conversations.json")));
  private final List<Tool> tools = Json.mapper().convertValue(corpus.get("tools"), new TypeReference<List<Tool>>() {});

  @Test
  void everyConversationRendersAsJinja2RendersIt() throws IOException {
    List<String> mismatches = new ArrayList<>();
    List<String> formMismatches = new ArrayList<>();
    int cases = 0;
    int templates = 0;
    try (Stream<Path> dirs = Files.list(ROOT.resolve("expected"))) {
      for (Path dir : dirs.sorted().toList()) {
        String name = dir.getFileName().toString();
        if (Files.exists(dir.resolve("template.error"))) {
          continue;
        }
        ChatTemplate template = load(name);
        templates++;
        Map<String, String> forms = Json.mapper().readValue(read(dir.resolve("forms.json")), new TypeReference<Map<String, String>>() {});
        String detected = template.objectArguments() ? "object" : "string";
        String parts = template.contentParts() ? "parts" : "text";
        if (!forms.get("arguments").equals(detected) || !forms.get("content").equals(parts)) {
          formMismatches.add(name + ": forms " + forms + " but detected arguments=" + detected + ", content=" + parts);
        }
        for (Map.Entry<String, JsonNode> conversation : corpus.get("conversations").properties()) {
          cases++;
          String outcome = check(template, dir, conversation.getKey(), conversation.getValue());
          if (outcome != null) {
            mismatches.add(name + "/" + conversation.getKey() + ": " + outcome);
          }
        }
      }
    }
    int unparseable = checkUnparseableTemplates(mismatches);
    System.out.println("chat template corpus: " + (cases + unparseable - mismatches.size()) + "/" + (cases + unparseable)
        + " cases identical to Jinja2 (" + templates + " templates x " + corpus.get("conversations").size() + " conversations, "
        + unparseable + " template Jinja2 cannot compile); tool-argument and content forms as Jinja2's probes decided for "
        + (templates - formMismatches.size()) + "/" + templates + " templates");
    assertThat(mismatches).isEmpty();
    assertThat(formMismatches).isEmpty();
  }

  /** A template Jinja2 cannot compile fails to load here too, naming the same line. */
  private int checkUnparseableTemplates(List<String> mismatches) throws IOException {
    int count = 0;
    try (Stream<Path> errors = Files.list(ROOT.resolve("expected"))) {
      for (Path dir : errors.filter(d -> Files.exists(d.resolve("template.error"))).toList()) {
        count++;
        String expected = read(dir.resolve("template.error"));
        String line = expected.substring(0, expected.indexOf(':'));
        try {
          load(dir.getFileName().toString());
          mismatches.add(dir.getFileName() + ": loaded, but Jinja2 says " + expected);
        } catch (ModelLoadException e) {
          if (!e.getMessage().contains(line + ",")) {
            mismatches.add(dir.getFileName() + ": " + e.getMessage() + ", but Jinja2 says " + expected);
          }
        }
      }
    }
    return count;
  }

  private ChatTemplate load(String name) {
    JsonNode tokens = corpus.get("tokens").has(name) ? corpus.get("tokens").get(name) : corpus.get("tokens").get("default");
    String source = read(ROOT.resolve("templates").resolve(name + ".jinja"));
    return ChatTemplate.of(source, tokens.get("bos_token").asString(), tokens.get("eos_token").asString(), CORPUS_CLOCK);
  }

  /** Null when the rendering (or the refusal) matches; else what differs. */
  private String check(ChatTemplate template, Path dir, String name, JsonNode conversation) {
    List<ChatMessage> messages = Json.mapper().convertValue(conversation.get("messages"), new TypeReference<List<ChatMessage>>() {});
    boolean withTools = conversation.has("tools");
    String rendered = null;
    InvalidRequestException refused = null;
    try {
      rendered = template.render(messages, withTools ? tools : null, conversation.get("add_generation_prompt").asBoolean());
    } catch (InvalidRequestException e) {
      refused = e;
    }
    Path expectedText = dir.resolve(name + ".txt");
    if (Files.exists(expectedText)) {
      String expected = read(expectedText);
      if (refused != null) {
        return "refused (" + refused.getMessage() + ") but Jinja2 rendered it";
      }
      return expected.equals(rendered) ? null : "rendered differently:\n--- Jinja2\n" + expected + "\n--- here\n" + rendered;
    }
    String error = read(dir.resolve(name + ".error"));
    if (refused == null) {
      return "rendered, but Jinja2 raised " + error;
    }
    String raised = "raise_exception: ";
    if (error.startsWith(raised) && !error.substring(raised.length()).equals(refused.getMessage())) {
      return "refused with '" + refused.getMessage() + "' but Jinja2 raised '" + error.substring(raised.length()) + "'";
    }
    return null;
  }

  private static String read(Path path) {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
