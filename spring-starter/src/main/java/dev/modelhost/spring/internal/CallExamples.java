package dev.modelhost.spring.internal;

/** Ready-to-paste calls of a service: curl, the Python {@code openai} package and the Node one. */
final class CallExamples {

  private CallExamples() {}

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
