// The openai npm package's structured-output and tool helpers against a server on the project's own
// model, which was never trained on JSON or tools: its answers parse only because the server holds
// them to the schema. ConstrainedOutputNodeClientTest starts the server and passes its address.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { zodFunction, zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';

const client = new OpenAI({
  baseURL: process.env.MODELHOST_BASE_URL, apiKey: process.env.MODELHOST_API_KEY, maxRetries: 0, timeout: 120_000,
});
const model = process.env.MODELHOST_MODEL;
const hot = { temperature: 1.5, max_completion_tokens: 300 };

const cities = ['Paris', 'Oslo', 'Lima'];
const getWeather = zodFunction({
  name: 'get_weather',
  description: 'The weather forecast of a city',
  parameters: z.object({ city: z.enum(cities), days: z.number().int().min(1).max(7) }),
});
const getTime = zodFunction({ name: 'get_time', parameters: z.object({ city: z.enum(cities) }) });

function assertWeatherCall(completion) {
  const choice = completion.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  const call = choice.message.tool_calls[0];
  assert.ok(call.id.startsWith('call_'), call.id);
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  const args = JSON.parse(call.function.arguments);
  assert.ok(cities.includes(args.city), call.function.arguments);
  assert.ok(Number.isInteger(args.days) && args.days >= 1 && args.days <= 7, call.function.arguments);
  assert.deepEqual(call.function.parsed_arguments, args);
}

test('a streamed required tool call arrives in argument deltas and comes back whole from finalChatCompletion', async () => {
  for (const seed of [0, 1, 2]) {
    const stream = client.chat.completions.stream({
      model, ...hot, seed, messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [getWeather], tool_choice: 'required', parallel_tool_calls: false,
    });
    let argumentDeltas = 0;
    stream.on('tool_calls.function.arguments.delta', () => argumentDeltas++);
    assertWeatherCall(await stream.finalChatCompletion());
    assert.ok(argumentDeltas > 1, `${argumentDeltas} argument deltas`);
  }
});

test('a named tool choice calls that function', async () => {
  for (const seed of [0, 1, 2]) {
    const completion = await client.chat.completions.parse({
      model, ...hot, seed, messages: [{ role: 'user', content: 'What time is it?' }],
      tools: [getTime, getWeather], tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
    assert.equal(completion.choices[0].message.tool_calls.length, 1);
    assertWeatherCall(completion);
  }
});

test('parse with zodResponseFormat gives message.parsed matching the schema', async () => {
  const Fortune = z.object({
    word: z.string().max(12),
    lucky: z.boolean(),
    number: z.number().int().min(0).max(99),
    mood: z.enum(['calm', 'bold', 'wise']),
    place: z.object({ city: z.enum(cities), floor: z.number().int().min(0).max(9) }),
    moods: z.array(z.enum(['calm', 'bold', 'wise'])).max(3),
  });
  for (const seed of [0, 1, 2, 3]) {
    const completion = await client.chat.completions.parse({
      model, ...hot, seed, messages: [{ role: 'user', content: 'Tell me a fortune.' }],
      response_format: zodResponseFormat(Fortune, 'fortune'),
    });
    const message = completion.choices[0].message;
    assert.equal(completion.choices[0].finish_reason, 'stop', message.content);
    assert.deepEqual(Fortune.parse(message.parsed), message.parsed);
    assert.deepEqual(message.parsed, JSON.parse(message.content));
  }
});
