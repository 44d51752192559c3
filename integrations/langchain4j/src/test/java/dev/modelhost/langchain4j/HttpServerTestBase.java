package dev.modelhost.langchain4j;

import dev.modelhost.ModelHost;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.spring.ApiKeys;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The starter's server on a random port, serving the default model as {@code acme/default} to one key. */
@SpringBootTest(
    classes = HttpServerTestBase.Server.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "server.address=127.0.0.1")
abstract class HttpServerTestBase {

  static final String KEY = "mh-test-acme-0123456789abcdef";
  static final String SERVICE = "acme/default";

  @LocalServerPort int port;

  @Autowired ModelHost host;

  /** All of the service in one property source: Spring Boot binds an indexed list from one source only. */
  @DynamicPropertySource
  static void defaultModel(DynamicPropertyRegistry registry) {
    registry.add("modelhost.services[0].owner", () -> "acme");
    registry.add("modelhost.services[0].name", () -> "default");
    registry.add("modelhost.services[0].backend", () -> "onnx");
    registry.add("modelhost.services[0].options.threads", () -> "1");
    registry.add("modelhost.services[0].location", () -> DefaultModel.FORTUNE_LLAMA.directory().toString());
  }

  @BeforeEach
  void serviceIsRunning() {
    host.awaitRunning(SERVICE, Duration.ofMinutes(2));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port + "/v1";
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Server {

    @Bean
    ApplicationRunner testKey(ApiKeys keys) {
      return args -> keys.register("acme", KEY);
    }
  }
}
