package dev.modelhost.backend.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelhost.api.ErrorResponse;
import dev.modelhost.api.Json;
import dev.modelhost.api.Usage;
import dev.modelhost.api.ErrorMapper;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.GenerationListener;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;

/**
 * Any bytes as an upstream's event stream, cut into small chunks so that lines and UTF-8
 * characters split across them: relaying ends with the answer or with a typed error whose body is a
 * valid OpenAI error (502/504, or the upstream's own 4xx), never with another exception or a 500.
 * Seeded with real streams (this class's {@code Inputs} folder).
 */
class StreamRelayFuzzTest {

  private static final URI UPSTREAM = URI.create("http://127.0.0.1:9/v1");

  @FuzzTest(maxDuration = "4s")
  void anyUpstreamStreamIsRelayedOrFailsWithATypedError(byte[] stream) {
    for (boolean chat : new boolean[] {true, false}) {
      try {
        relay(stream, chat);
      } catch (ModelhostException failed) {
        ErrorMapper.MappedError mapped = ErrorMapper.map(failed);
        assertThat(mapped.status()).as("status for %s", failed).isNotEqualTo(500).isBetween(400, 599);
        ErrorResponse written = Json.read(Json.mapper().writeValueAsBytes(mapped.body()), ErrorResponse.class);
        assertThat(written.error().message()).isNotBlank();
        assertThat(written.error().type()).isNotBlank();
      }
    }
  }

  private static void relay(byte[] stream, boolean chat) {
    StreamingBody body = new StreamingBody();
    body.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {}

      @Override
      public void cancel() {}
    });
    for (int from = 0; from < stream.length; from += 7) {
      body.onNext(List.of(ByteBuffer.wrap(Arrays.copyOfRange(stream, from, Math.min(stream.length, from + 7)))));
    }
    body.onComplete();
    UpstreamClient.Opened opened = new UpstreamClient.Opened(new Endpoint(UPSTREAM, Duration.ofSeconds(1)),
        HttpHeaders.of(Map.of(), (name, value) -> true), body, System.nanoTime());
    StreamRelay relay = new StreamRelay(new UpstreamErrors(null, List.of(UPSTREAM), null),
        Duration.ofSeconds(5), Duration.ofSeconds(5));
    relay.relay(opened, chat, "acme/chat", new GenerationListener() {
      @Override
      public void onDelta(ChoiceDelta delta) {}

      @Override
      public void onUsage(Usage usage, boolean estimated) {}
    }, new Cancellation());
  }
}
