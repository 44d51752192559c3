package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** The web console's files: public, under a strict CSP, only under /console, and off by a property. */
class ConsoleTest extends ServerTestBase {

  @Test
  void servesThePageWithoutAKeyUnderAStrictContentSecurityPolicy() throws IOException, InterruptedException {
    HttpResponse<String> page = send("GET", "/console", null, null);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=UTF-8");
    assertThat(page.body()).contains("<script type=\"module\" src=\"assets/app.js\"></script>").doesNotContain("style=");
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
        "frame-ancestors 'none'").doesNotContain("unsafe");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
  }

  @Test
  void answersEveryPathUnderConsoleWithThePage() throws IOException, InterruptedException {
    String page = send("GET", "/console", null, null).body();

    assertThat(send("GET", "/console/", null, null).body()).isEqualTo(page);
    assertThat(send("GET", "/console/services/acme/chat", null, null).body()).isEqualTo(page);
  }

  @Test
  void servesScriptsAndStylesWithTheirTypesAndRevalidates() throws IOException, InterruptedException {
    HttpResponse<String> script = send("GET", "/console/assets/app.js", null, null);
    HttpResponse<String> style = send("GET", "/console/assets/console.css", null, null);

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript;charset=UTF-8");
    assertThat(style.headers().firstValue("Content-Type")).hasValue("text/css;charset=UTF-8");
    String etag = script.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/console/assets/app.js"))
        .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(304);
  }

  @Test
  void keepsAnsweringOpenAiErrorsOutsideTheConsoleAndForUnknownAssets() throws IOException, InterruptedException {
    HttpResponse<String> missing = send("GET", "/console/assets/missing.js", null, null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("\"code\":\"unknown_url\"");

    assertThat(send("GET", "/consoles", null, null).body()).contains("\"code\":\"invalid_api_key\"");
    assertThat(send("POST", "/console", null, "{}").statusCode()).isEqualTo(401);
    assertThat(send("GET", "/console/../v1/models", null, null).body()).contains("\"code\":\"invalid_url\"");
    assertThat(send("GET", "/v1/models", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void isOffWhenThePropertySaysSo() {
    WebApplicationContextRunner runner = new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ModelhostAutoConfiguration.class, ModelhostConsoleAutoConfiguration.class));
    runner.run(context -> assertThat(context).hasBean("modelhostConsoleFilter"));
    runner.withPropertyValues("modelhost.console.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("modelhostConsoleFilter"));
  }
}
