package dev.modelhost.spring.internal;

import dev.modelhost.exception.ConfigurationException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;

/** Ready-to-paste calls of a service: curl, the Python {@code openai} package and the Node one. */
final class CallExamples {

  private CallExamples() {}

  /**
   * The base URL written into the examples: the configured public URL, else the address and port
   * that accepted the connection. Never the request's {@code Host} header, which the caller chooses.
   */
  static String baseUrl(@Nullable String publicUrl, HttpServletRequest request) {
    if (publicUrl != null) {
      return publicUrl;
    }
    String address = request.getLocalAddr();
    String host = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
    return (request.isSecure() ? "https" : "http") + "://" + host + ":" + request.getLocalPort()
        + request.getContextPath();
  }

  /** {@code modelhost.public-url} without trailing slashes; null when unset. */
  static @Nullable String checkedPublicUrl(@Nullable String url) {
    if (url == null || url.isBlank()) {
      return null;
    }
    try {
      URI uri = new URI(url.trim());
      boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      if (!http || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new URISyntaxException(url, "not an http(s) base URL");
      }
      return uri.toString().replaceAll("/+$", "");
    } catch (URISyntaxException e) {
      throw new ConfigurationException("modelhost.public-url must be an absolute http(s) URL such as"
          + " https://models.example.com, got '" + url + "'.", "modelhost.public-url", "invalid_value");
    }
  }

  static AdminJson.Examples of(String baseUrl, String accessPath) {
    String v1 = baseUrl + "/v1";
    String curl = "curl '" + v1 + "/chat/completions' \\\n"
        + "  -H 'Content-Type: application/json' \\\n"
        + "  -H 'Authorization: Bearer <Your API Key here>' \\\n"
        + "  -d '{\"model\": \"" + accessPath + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Say this is a test!\"}], \"temperature\": 0.7}'";
    String python = "# Compatible with OpenAI Python library v1.0.0 and above\n"
        + "from openai import OpenAI\n\n"
        + "client = OpenAI(base_url=\"" + v1 + "/\", api_key=\"<Your API Key here>\")\n"
        + "messages = [{\"role\": \"user\", \"content\": \"Say this is a test!\"}]\n"
        + "response = client.chat.completions.create(model=\"" + accessPath + "\", messages=messages)\n"
        + "print(response.choices[0].message.content)\n";
    String node = "const OpenAI = require('openai');\n\n"
        + "const openai = new OpenAI({ baseURL: '" + v1 + "', apiKey: '<Your API Key here>' });\n\n"
        + "async function main() {\n"
        + "  const completion = await openai.chat.completions.create({\n"
        + "    model: '" + accessPath + "',\n"
        + "    messages: [{ role: 'user', content: 'Say this is a test!' }],\n"
        + "  });\n"
        + "  console.log(completion.choices[0].message.content);\n"
        + "}\n\n"
        + "main().catch((error) => {\n"
        + "  if (error instanceof OpenAI.APIError) {\n"
        + "    console.error('API Error:', error.status, error.message);\n"
        + "  } else {\n"
        + "    console.error('Unexpected error:', error);\n"
        + "  }\n"
        + "});\n";
    return new AdminJson.Examples(curl, python, node);
  }
}
