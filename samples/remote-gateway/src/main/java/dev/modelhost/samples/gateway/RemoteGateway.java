package dev.modelhost.samples.gateway;

import dev.modelhost.spring.ApiKeys;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Serves the model service of {@code application.yml}, whose replicas are upstream servers: a
 * request goes to its replica's upstream, and to the other one while that upstream is down. The
 * gateway's own clients use the key from {@code GATEWAY_API_KEY} (generated and printed when
 * unset); the gateway calls the upstreams with {@code MODELHOST_UPSTREAM_KEY}.
 */
@SpringBootApplication
public class RemoteGateway {

  public static void main(String[] args) {
    SpringApplication.run(RemoteGateway.class, args);
  }

  @Bean
  ApplicationRunner gatewayKey(ApiKeys keys, Environment environment) {
    return args -> {
      String owner = environment.getRequiredProperty("modelhost.services[0].owner");
      String key = environment.getProperty("GATEWAY_API_KEY");
      if (key == null || key.isBlank()) {
        System.out.println("Gateway API key (owner " + owner + "): " + keys.create(owner).key()
            + "  (generated; set GATEWAY_API_KEY to choose one)");
      } else {
        keys.register(owner, key);
      }
    };
  }
}
