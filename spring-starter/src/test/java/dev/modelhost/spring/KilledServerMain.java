package dev.modelhost.spring;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/** The test server in a process of its own, on the H2 database in the folder given, for {@link KillTest}. */
final class KilledServerMain {

  private KilledServerMain() {}

  public static void main(String[] args) {
    var context = new SpringApplicationBuilder(TestServer.class).properties(
            "server.port=0",
            "server.address=127.0.0.1",
            "modelhost.store.data-dir=" + args[0],
            "modelhost.services[0].owner=acme",
            "modelhost.services[0].name=chat",
            "modelhost.services[0].backend=scripted",
            "modelhost.services[0].location=scripted-model",
            "modelhost.services[0].replicas=4",
            "modelhost.services[0].queue-capacity=256",
            "modelhost.services[0].billing.type=per_token",
            "modelhost.services[0].billing.completion-price-per-million=1")
        .run();
    System.out.println("PORT=" + ((WebServerApplicationContext) context).getWebServer().getPort());
    System.out.flush();
  }
}
