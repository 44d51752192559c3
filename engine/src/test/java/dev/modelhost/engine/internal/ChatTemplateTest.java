package dev.modelhost.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ContentPart;
import dev.modelhost.api.Json;
import dev.modelhost.api.MessageContent;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import java.time.Clock;
import java.time.Instant;
import java.time.Year;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Templates of the common model families, written after their Hugging Face originals. */
class ChatTemplateTest {

  private static final String LLAMA_2 =
      "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}"
          + "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
          + "{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
          + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
          + "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
          + "{% else %}{% set content = message['content'] %}{% endif %}"
          + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
          + "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

  private static final String LLAMA_3 =
      "{% set loop_messages = messages %}{% for message in loop_messages %}"
          + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}"
          + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
          + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

  private static final String MISTRAL =
      "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
          + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
          + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
          + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
          + "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

  private static final String QWEN_2_5 = """
      {%- if tools %}
          {{- '<|im_start|>system\\n' }}
          {%- if messages[0]['role'] == 'system' %}
              {{- messages[0]['content'] }}
          {%- else %}
              {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
          {%- endif %}
          {{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}
          {%- for tool in tools %}
              {{- "\\n" }}
              {{- tool | tojson }}
          {%- endfor %}
          {{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}
      {%- else %}
          {%- if messages[0]['role'] == 'system' %}
              {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
          {%- else %}
              {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}
          {%- endif %}
      {%- endif %}
      {%- for message in messages %}
          {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
              {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
          {%- elif message.role == "assistant" %}
              {{- '<|im_start|>' + message.role }}
              {%- if message.content %}
                  {{- '\\n' + message.content }}
              {%- endif %}
              {%- for tool_call in message.tool_calls %}
                  {%- if tool_call.function is defined %}
                      {%- set tool_call = tool_call.function %}
                  {%- endif %}
                  {{- '\\n<tool_call>\\n{"name": "' }}
                  {{- tool_call.name }}
                  {{- '", "arguments": ' }}
                  {{- tool_call.arguments | tojson }}
                  {{- '}\\n</tool_call>' }}
              {%- endfor %}
              {{- '<|im_end|>\\n' }}
          {%- elif message.role == "tool" %}
              {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
                  {{- '<|im_start|>user' }}
              {%- endif %}
              {{- '\\n<tool_response>\\n' }}
              {{- message.content }}
              {{- '\\n</tool_response>' }}
              {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
                  {{- '<|im_end|>\\n' }}
              {%- endif %}
          {%- endif %}
      {%- endfor %}
      {%- if add_generation_prompt %}
          {{- '<|im_start|>assistant\\n' }}
      {%- endif %}
      """;

  private static final String PHI_3 =
      "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n' + message['content'] + '<|end|>\\n'}}"
          + "{% elif message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + '<|end|>\\n'}}"
          + "{% elif message['role'] == 'assistant' %}{{'<|assistant|>\\n' + message['content'] + '<|end|>\\n'}}{% endif %}{% endfor %}"
          + "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}";

  private static final String GEMMA =
      "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
          + "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
          + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
          + "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}"
          + "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
          + "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

  /** ChatML laid out on several lines: relies on trim_blocks and lstrip_blocks. */
  private static final String CHATML_MULTILINE = """
      {% for message in messages %}
          {% if message['role'] == 'user' %}
      <|im_start|>user
      {{ message['content'] }}<|im_end|>
          {% else %}
      <|im_start|>{{ message['role'] }}
      {{ message['content'] }}<|im_end|>
          {% endif %}
      {% endfor %}
      {% if add_generation_prompt %}
      <|im_start|>assistant
      {% endif %}
      """;

  private static final Tool WEATHER = Tool.function("get_weather", "Get the weather",
      Json.mapper().readTree("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"));

  private static String render(String template, String bos, String eos, List<ChatMessage> messages) {
    return ChatTemplate.of(template, bos, eos).render(messages, null, true);
  }

  @Test
  void rendersLlama2WithSystemPromptFoldedIntoFirstTurn() {
    String out = render(LLAMA_2, "<s>", "</s>", List.of(
        ChatMessage.system("Be brief."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello! "), ChatMessage.user(" How are you?")));
    assertThat(out).isEqualTo("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] How are you? [/INST]");
  }

  @Test
  void rendersLlama3WithTrimmedContent() {
    String out = render(LLAMA_3, "<|begin_of_text|>", "<|eot_id|>", List.of(ChatMessage.system("Be brief."), ChatMessage.user(" Hi \n")));
    assertThat(out).isEqualTo(
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
  }

  @Test
  void rendersMistral() {
    String out = render(MISTRAL, "<s>", "</s>", List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"), ChatMessage.user("Bye")));
    assertThat(out).isEqualTo("<s>[INST] Hi [/INST]Hello!</s>[INST] Bye [/INST]");
  }

  @Test
  void templateRaiseExceptionBecomesInvalidRequestWithItsMessage() {
    assertThatThrownBy(() -> render(MISTRAL, "<s>", "</s>", List.of(ChatMessage.system("S"), ChatMessage.user("Hi"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Conversation roles must alternate user/assistant/user/assistant/...")
        .satisfies(e -> assertThat(((InvalidRequestException) e).param()).isEqualTo("messages"))
        .satisfies(e -> assertThat(((InvalidRequestException) e).httpStatus()).isEqualTo(400));
    assertThatThrownBy(() -> render(GEMMA, "<bos>", "<eos>", List.of(ChatMessage.system("S"), ChatMessage.user("Hi"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("System role not supported");
  }

  @Test
  void rendersQwenWithToolsToolCallsAndToolResults() {
    List<ChatMessage> messages = List.of(
        ChatMessage.user("What's the weather in Paris?"),
        ChatMessage.assistantToolCalls(List.of(ToolCall.function("call_1", "get_weather", "{\"city\": \"Paris\"}"))),
        ChatMessage.tool("call_1", "22°C"));
    String out = ChatTemplate.of(QWEN_2_5, null, "<|im_end|>").render(messages, List.of(WEATHER), true);
    assertThat(out).isEqualTo(
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools\n\n"
            + "You may call one or more functions to assist with the user query.\n\n"
            + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
            + "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Get the weather\", "
            + "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}\n"
            + "</tools>\n\nFor each function call, return a json object with function name and arguments within"
            + " <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n"
            + "</tool_call><|im_end|>\n"
            + "<|im_start|>user\nWhat's the weather in Paris?<|im_end|>\n"
            + "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>\n"
            + "<|im_start|>user\n<tool_response>\n22°C\n</tool_response><|im_end|>\n"
            + "<|im_start|>assistant\n");
  }

  @Test
  void rendersQwenWithoutToolsWithDeveloperMessageAsSystem() {
    String out = ChatTemplate.of(QWEN_2_5, null, "<|im_end|>").render(
        List.of(ChatMessage.developer("Be brief."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello")), null, false);
    assertThat(out).isEqualTo(
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n");
  }

  @Test
  void rendersPhi3() {
    String out = render(PHI_3, "<s>", "<|endoftext|>", List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")));
    assertThat(out).isEqualTo("<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\n");
    String closed = ChatTemplate.of(PHI_3, "<s>", "<|endoftext|>").render(List.of(ChatMessage.user("Hi")), null, false);
    assertThat(closed).isEqualTo("<|user|>\nHi<|end|>\n<|endoftext|>");
  }

  @Test
  void rendersGemmaWithModelRole() {
    String out = render(GEMMA, "<bos>", "<eos>", List.of(ChatMessage.user("Hi "), ChatMessage.assistant("Hello!"), ChatMessage.user("Bye")));
    assertThat(out).isEqualTo(
        "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
            + "<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n");
  }

  @Test
  void trimsAndLStripsBlocksLikeTransformers() {
    String out = render(CHATML_MULTILINE, "", "", List.of(ChatMessage.system("S"), ChatMessage.user("U")));
    assertThat(out).isEqualTo("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void pythonStringMethodsWorkAsMethodCalls() {
    String template = "{{ messages[0]['content'].strip().upper() }}|{{ messages[0]['content'].lstrip() }}|"
        + "{{ messages[0]['content'].rstrip() }}|{{ 'a,b,c'.split(',')|join('+') }}|{{ ' x  y '.split()|join('+') }}|"
        + "{% if messages[0]['content'].strip().startswith('hel') %}starts{% endif %}|"
        + "{% if \"it's\".endswith(\"'s\") %}ends{% endif %}|{{ 'hello world'.title() }}|{{ 'aaa'.replace('a', 'b', 2) }}|"
        + "{{ 'ABC'.lower() }}|{{ 'a.strip()' }}|{{ '--x--'.strip('-') }}";
    String out = render(template, "", "", List.of(ChatMessage.user("  hello  ")));
    assertThat(out).isEqualTo("HELLO|hello  |  hello|a+b+c|x+y|starts|ends|Hello World|bba|abc|a.strip()|x");
  }

  @Test
  void tojsonFollowsPythonJsonDumpsIncludingIndent() {
    String out = ChatTemplate.of("{{ tools[0] | tojson(indent=2) }}|{{ {'a': 'é<\"'} | tojson }}", null, null)
        .render(List.of(ChatMessage.user("x")), List.of(WEATHER), false);
    assertThat(out).isEqualTo("""
        {
          "type": "function",
          "function": {
            "name": "get_weather",
            "description": "Get the weather",
            "parameters": {
              "type": "object",
              "properties": {
                "city": {
                  "type": "string"
                }
              },
              "required": [
                "city"
              ]
            }
          }
        }|{"a": "é<\\""}""");
  }

  @Test
  void namespaceLoopAndDictMethodsWork() {
    String template = "{% set ns = namespace(system=none, count=0) %}{% for m in messages %}"
        + "{% if m['role'] == 'system' %}{% set ns.system = m['content'] %}{% endif %}{% set ns.count = ns.count + 1 %}{% endfor %}"
        + "{{ ns.system }}:{{ ns.count }}:{{ messages[0].get('name', 'anon') }}:{{ messages[0].keys()|join(',') }}:"
        + "{% for m in messages %}{{ loop.index0 }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}{% endfor %}:"
        + "{% for key, value in messages[1] | items %}{{ key }}={{ value }};{% endfor %}:{% for key in messages[1] %}{{ key }}{% endfor %}";
    String out = render(template, "", "", List.of(ChatMessage.system("S"), ChatMessage.user("U")));
    assertThat(out).isEqualTo("S:2:anon:role,content:0F1L:role=user;content=U;:rolecontent");
  }

  @Test
  void contentPartsAreTextForStringTemplatesAndPartsForTemplatesThatIterateThem() {
    ChatMessage parts = new ChatMessage("user", MessageContent.ofParts(List.of(
        ContentPart.text("Look"), ContentPart.imageUrl("https://example.invalid/cat.png"), ContentPart.text("here"))), null, null, null);
    assertThat(render("{{ messages[0]['content'] }}", "", "", List.of(parts))).isEqualTo("Look\nhere");
    String iterating = "{% for message in messages %}{% if message['content'] is string %}{{ message['content'] }}"
        + "{% else %}{% for part in message['content'] %}{% if part['type'] == 'text' %}[{{ part['text'] }}]"
        + "{% else %}<{{ part['type'] }}>{% endif %}{% endfor %}{% endif %}{% endfor %}";
    assertThat(render(iterating, "", "", List.of(parts, ChatMessage.user("plain")))).isEqualTo("[Look]<image_url>[here]plain");
  }

  @Test
  void messageTextIsNeverEvaluatedAsTemplateCode() {
    String out = render(PHI_3, "", "", List.of(ChatMessage.user("{{ 7 * 7 }}{% raw %}x{{ raise_exception('no') }}")));
    assertThat(out).isEqualTo("<|user|>\n{{ 7 * 7 }}{% raw %}x{{ raise_exception('no') }}<|end|>\n<|assistant|>\n");
  }

  @Test
  void templatesCannotIncludeFiles() {
    assertThatThrownBy(() -> ChatTemplate.of("{% include 'models/sentencepiece/tokenizer_config.json' %}", "", ""))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("unknown tag 'include'");
  }

  @Test
  void strftimeNowFormatsTheCurrentDate() {
    String out = render("{{ strftime_now('%Y') }}", "", "", List.of(ChatMessage.user("x")));
    assertThat(out).isEqualTo(String.valueOf(Year.now().getValue()));
  }

  @Test
  void strftimeNowReadsTheGivenClock() {
    Clock clock = Clock.fixed(Instant.parse("2024-07-26T08:05:00Z"), ZoneOffset.UTC);
    String out = ChatTemplate.of("{% if strftime_now is defined %}{{ strftime_now('%d %b %Y, %-I:%M %p') }}{% endif %}", "", "", clock)
        .render(List.of(ChatMessage.user("x")), null, true);
    assertThat(out).isEqualTo("26 Jul 2024, 8:05 AM");
  }

  @Test
  void unparseableTemplateFailsTheLoadWithItsLineAndColumn() {
    assertThatThrownBy(() -> ChatTemplate.of("{{ bos_token }}\n{% for message in %}{{ message }}{% endfor %}", "", ""))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("chat template cannot be parsed")
        .hasMessageContaining("line 2, column 19");
  }

  @Test
  void templateThatFailsOnAConversationIsABadRequestNotAServerError() {
    ChatTemplate template = ChatTemplate.of("{% for m in messages %}{{ m.content + m.tool_calls }}{% endfor %}", "", "");
    assertThatThrownBy(() -> template.render(List.of(ChatMessage.user("Hi")), null, true))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("cannot render this conversation")
        .satisfies(e -> assertThat(((InvalidRequestException) e).httpStatus()).isEqualTo(400));
  }

  @Test
  void toolsIsNoneWhenNoneAreOfferedAsInTransformers() {
    String out = render("{{ tools is defined }}|{{ tools is none }}|{{ documents is none }}", "", "", List.of(ChatMessage.user("x")));
    assertThat(out).isEqualTo("True|True|True");
  }

  private static final List<ChatMessage> CALL = List.of(
      ChatMessage.user("Weather?"),
      ChatMessage.assistantToolCalls(List.of(ToolCall.function("call_1", "get_weather", "{\"city\":\"Paris\",\"days\":3}"))));

  @Test
  void templateThatConcatenatesArgumentsGetsTheOpenAiString() {
    ChatTemplate template = ChatTemplate.of(
        "{% for m in messages %}{% for c in m.tool_calls %}{{ c.function.name + ' ' + c.function.arguments }}{% endfor %}{% endfor %}", "", "");
    assertThat(template.objectArguments()).isFalse();
    assertThat(template.render(CALL, null, false)).isEqualTo("get_weather {\"city\":\"Paris\",\"days\":3}");
  }

  @Test
  void templatesThatSerialiseOrIterateArgumentsGetTheParsedObject() {
    ChatTemplate json = ChatTemplate.of(
        "{% for m in messages %}{% for c in m.tool_calls %}{{ c.function.arguments | tojson }}{% endfor %}{% endfor %}", "", "");
    assertThat(json.objectArguments()).isTrue();
    assertThat(json.render(CALL, null, false)).isEqualTo("{\"city\": \"Paris\", \"days\": 3}");
    ChatTemplate items = ChatTemplate.of(
        "{% for m in messages %}{% for c in m.tool_calls %}{% for k, v in c.function.arguments | items %}<{{ k }}={{ v }}>"
            + "{% endfor %}{% endfor %}{% endfor %}", "", "");
    assertThat(items.objectArguments()).isTrue();
    assertThat(items.render(CALL, null, false)).isEqualTo("<city=Paris><days=3>");
  }

  @Test
  void templatesCannotReachJavaObjectsOrMutateValues() {
    assertThatThrownBy(() -> render("{{ messages.getClass().getName() }}", "", "", List.of(ChatMessage.user("x"))))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> render("{{ messages.append(messages[0]) }}", "", "", List.of(ChatMessage.user("x"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("unsafe");
  }

  @Test
  void macroThatCallsItselfWithoutEndIsABadRequest() {
    ChatTemplate template = ChatTemplate.of("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "", "");
    assertThatThrownBy(() -> template.render(List.of(ChatMessage.user("x")), null, true))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("recursion");
  }
}
