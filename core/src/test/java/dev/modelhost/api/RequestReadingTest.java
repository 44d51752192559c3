package dev.modelhost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.modelhost.api.ErrorMapper;
import dev.modelhost.exception.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A request body with a wrong type, value or syntax is an {@link InvalidRequestException} naming
 * the field as OpenAI does ({@code messages[0].content}), never a Jackson exception or a 500.
 */
class RequestReadingTest {

  private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      # body                                                                          | param                   | code
      {"model":"m","stop":5}                                                          | stop                    | invalid_type
      {"model":"m","stop":["a",5]}                                                    | stop[1]                 | invalid_type
      {"model":"m","messages":[{"role":"user","content":5}]}                          | messages[0].content     | invalid_type
      {"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":[{"type":"text","text":"a"},5]}]} | messages[1].content[1] | invalid_type
      {"model":"m","messages":[{"role":"user","content":[{"type":5}]}]}               | messages[0].content[0].type | invalid_type
      {"model":"m","messages":"hi"}                                                   | messages                | invalid_type
      {"model":"m","messages":[null]}                                                 | messages[0]             | invalid_type
      {"model":"m","messages":[5]}                                                    | messages[0]             | invalid_type
      {"model":"m","messages":[{"role":"assistant","tool_calls":[null]}]}             | messages[0].tool_calls[0] | invalid_type
      {"model":"m","tool_choice":"sometimes"}                                         | tool_choice             | invalid_value
      {"model":"m","tool_choice":5}                                                   | tool_choice             | invalid_type
      {"model":"m","tool_choice":{"type":"function"}}                                 | tool_choice             | invalid_value
      {"model":"m","temperature":"hot"}                                               | temperature             | invalid_type
      {"model":"m","temperature":"0.5"}                                               | temperature             | invalid_type
      {"model":"m","n":1.5}                                                           | n                       | invalid_type
      {"model":"m","n":"2"}                                                           | n                       | invalid_type
      {"model":"m","n":99999999999}                                                   | n                       | invalid_value
      {"model":"m","stream":"yes"}                                                    | stream                  | invalid_type
      {"model":"m","stream":1}                                                        | stream                  | invalid_type
      {"model":5}                                                                     | model                   | invalid_type
      {"model":"m","stream_options":true}                                             | stream_options          | invalid_type
      {"model":"m","logit_bias":{"50256":"x"}}                                        | logit_bias.50256        | invalid_type
      {"model":"m","logit_bias":{"50256":null}}                                       | logit_bias.50256        | invalid_type
      {"model":"m","tools":[{"type":"function","function":{"name":"f","strict":"yes"}}]} | tools[0].function.strict | invalid_type
      """)
  void namesTheFieldOfABadChatRequest(String body, String param, String code) {
    InvalidRequestException e = catchThrowableOfType(
        InvalidRequestException.class, () -> Json.read(body, ChatCompletionRequest.class));

    assertThat(e).as(body).isNotNull();
    assertThat(e.param()).isEqualTo(param);
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.getMessage()).contains("'" + param + "'").doesNotContain("tools.jackson", "java.");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      {"model":"m","prompt":[]}              | prompt      | invalid_value
      {"model":"m","prompt":5}               | prompt      | invalid_type
      {"model":"m","prompt":{"a":1}}         | prompt      | invalid_type
      {"model":"m","prompt":[[]]}            | prompt[0]   | invalid_value
      {"model":"m","prompt":["a",5]}         | prompt[1]   | invalid_type
      {"model":"m","prompt":[1,"a"]}         | prompt[1]   | invalid_type
      {"model":"m","prompt":[1,-2]}          | prompt[1]   | invalid_value
      {"model":"m","prompt":[[1],[2.5]]}     | prompt[1][0] | invalid_type
      {"model":"m","prompt":"a","logprobs":true} | logprobs | invalid_type
      {"model":"m","prompt":"a","echo":"no"} | echo        | invalid_type
      """)
  void namesTheFieldOfABadCompletionRequest(String body, String param, String code) {
    InvalidRequestException e = catchThrowableOfType(
        InvalidRequestException.class, () -> Json.read(body, CompletionRequest.class));

    assertThat(e).as(body).isNotNull();
    assertThat(e.param()).isEqualTo(param);
    assertThat(e.code()).isEqualTo(code);
  }

  @Test
  void saysWhatWasExpectedAndWhatCameLikeOpenAi() {
    InvalidRequestException content = catchThrowableOfType(InvalidRequestException.class,
        () -> Json.read("{\"messages\":[{\"role\":\"user\",\"content\":5}]}", ChatCompletionRequest.class));
    InvalidRequestException temperature = catchThrowableOfType(InvalidRequestException.class,
        () -> Json.read("{\"temperature\":\"hot\"}", ChatCompletionRequest.class));
    InvalidRequestException n = catchThrowableOfType(InvalidRequestException.class,
        () -> Json.read("{\"n\":1.5}", ChatCompletionRequest.class));

    assertThat(content).hasMessage("Invalid type for 'messages[0].content': expected a string or an array of"
        + " objects, but got an integer instead.");
    assertThat(temperature).hasMessage("Invalid type for 'temperature': expected a decimal, but got a string instead.");
    assertThat(n).hasMessage("Invalid type for 'n': expected an integer, but got a decimal instead.");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      `{"model": `
      `{"model":"m",}`
      `{"model":"m"} trailing`
      `[]`
      `"just a string"`
      `not json`
      ``
      """)
  void answersABodyThatIsNotAJsonObjectLikeOpenAi(String body) {
    InvalidRequestException e = catchThrowableOfType(
        InvalidRequestException.class, () -> Json.read(body == null ? "" : body, ChatCompletionRequest.class));

    assertThat(e).as(body).isNotNull();
    assertThat(e).hasMessage(ErrorMapper.UNPARSABLE_BODY_MESSAGE);
    assertThat(e.param()).isNull();
    assertThat(e.code()).isNull();
  }

  @Test
  void ignoresFieldsItDoesNotKnow() {
    ChatCompletionRequest request = Json.read(
        "{\"model\":\"m\"," + MESSAGES + ",\"store\":true,\"metadata\":{\"k\":\"v\"},\"reasoning_effort\":\"low\"}",
        ChatCompletionRequest.class);

    assertThat(request.model()).isEqualTo("m");
    assertThat(request.messages()).hasSize(1);
  }

  @Test
  void acceptsNullForAnOptionalField() {
    ChatCompletionRequest request = Json.read(
        "{\"model\":\"m\"," + MESSAGES + ",\"temperature\":null,\"stop\":null,\"tool_choice\":null}",
        ChatCompletionRequest.class);

    assertThat(request.temperature()).isNull();
    assertThat(request.stop()).isNull();
    assertThat(request.toolChoice()).isNull();
  }

  @Test
  void readsBytesAndStreamsAsStrictlyAsStrings() {
    byte[] body = "{\"n\":1.5}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    InvalidRequestException fromBytes = catchThrowableOfType(
        InvalidRequestException.class, () -> Json.read(body, ChatCompletionRequest.class));
    InvalidRequestException fromStream = catchThrowableOfType(InvalidRequestException.class,
        () -> Json.read(new java.io.ByteArrayInputStream(body), ChatCompletionRequest.class));

    assertThat(fromBytes.param()).isEqualTo("n");
    assertThat(fromStream.param()).isEqualTo("n");
  }
}
