package dev.modelhost.spring;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/** The application the HTTP tests start: the starter's auto-configuration and the scripted backend. */
@SpringBootConfiguration
@EnableAutoConfiguration
class TestServer {

  static final String ADMIN_KEY = "mh-test-admin-0123456789abcdef";
  static final String ACME_KEY = "mh-test-acme-0123456789abcdef";
  static final String OTHER_KEY = "mh-test-other-0123456789abcdef";

  @Bean
  ModelhostCustomizer scriptedBackend() {
    return builder -> builder.backend(new ScriptedBackend());
  }

  @Bean
  ApplicationRunner testKeys(ApiKeys keys) {
    return args -> {
      keys.registerAdmin(ADMIN_KEY);
      keys.register("acme", ACME_KEY);
      keys.register("other", OTHER_KEY);
    };
  }
}
