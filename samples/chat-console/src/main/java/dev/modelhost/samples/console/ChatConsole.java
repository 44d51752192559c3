package dev.modelhost.samples.console;

import dev.modelhost.ModelHost;
import dev.modelhost.ResponseStream;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.StreamOptions;
import dev.modelhost.defaultmodel.DefaultModel;
import java.time.Duration;

/**
 * Serves the default model in-process and streams its answer to a prompt (the program's
 * arguments, or a default question) to the console.
 *
 * <pre>./mvnw -q -pl samples/chat-console -am package -DskipTests &amp;&amp; \
 *   java -jar samples/chat-console/target/modelhost-chat-console.jar "Tell me a fortune."</pre>
 */
public final class ChatConsole {

  private ChatConsole() {}

  public static void main(String[] args) {
    String prompt = args.length > 0 ? String.join(" ", args) : "Tell me a fortune.";
    try (ModelHost host = ModelHost.builder().build()) {
      host.deploy(
          ServiceSpec.builder("local", "default")
              .backend("onnx")
              .location(DefaultModel.FORTUNE_LLAMA.directory().toString())
              .build());
      host.awaitRunning("local/default", Duration.ofMinutes(2));

      ChatCompletionRequest request =
          ChatCompletionRequest.builder("local/default")
              .addMessage(ChatMessage.user(prompt))
              .temperature(0.0)
              .maxTokens(64)
              .streamOptions(StreamOptions.withUsage())
              .build();

      System.out.println("> " + prompt);
      try (ResponseStream<ChatCompletionChunk> stream = host.streamChat(request)) {
        while (stream.hasNext()) {
          ChatCompletionChunk chunk = stream.next();
          for (ChatCompletionChunk.ChunkChoice choice : chunk.choices()) {
            if (choice.delta().content() != null) {
              System.out.print(choice.delta().content());
              System.out.flush();
            }
          }
          if (chunk.usage() != null) {
            System.out.printf(
                "%n[%d prompt tokens, %d completion tokens]%n",
                chunk.usage().promptTokens(), chunk.usage().completionTokens());
          }
        }
      }
    }
  }
}
