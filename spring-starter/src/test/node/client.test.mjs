// The openai npm package against a running Modelhost server. NodeClientTest starts the server and
// passes its address and keys in the environment.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';

const baseURL = process.env.MODELHOST_BASE_URL;
const apiKey = process.env.MODELHOST_API_KEY;
const model = process.env.MODELHOST_MODEL;
const hiddenModel = process.env.MODELHOST_HIDDEN_MODEL;

const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const messages = [{ role: 'user', content: 'hello!' }];

test('answers a chat completion', async () => {
  const completion = await client.chat.completions.create({ model, messages });
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.model, model);
  assert.equal(completion.choices[0].message.role, 'assistant');
  assert.ok(completion.choices[0].message.content.length > 0);
  assert.ok(completion.usage.total_tokens > 0);
});

test('streams a chat completion to the end, with usage', async () => {
  const stream = await client.chat.completions.create({
    model, messages, stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let finishReason = null;
  let usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      finishReason = choice.finish_reason ?? finishReason;
    }
    usage = chunk.usage ?? usage;
  }
  assert.ok(text.length > 0);
  assert.ok(finishReason === 'stop' || finishReason === 'length');
  assert.ok(usage.completion_tokens > 0);
});

test('answers a legacy completion', async () => {
  const completion = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 8 });
  assert.equal(completion.object, 'text_completion');
  assert.equal(typeof completion.choices[0].text, 'string');
});

test('lists and retrieves its models', async () => {
  const ids = [];
  for await (const m of client.models.list()) {
    ids.push(m.id);
  }
  assert.ok(ids.includes(model));
  assert.ok(!ids.includes(hiddenModel));
  const retrieved = await client.models.retrieve(model);
  assert.equal(retrieved.id, model);
});

test('maps errors to the SDK error classes', async () => {
  const wrongKey = new OpenAI({ baseURL, apiKey: 'mh-not-a-real-key-000000000000', maxRetries: 0 });
  await assert.rejects(wrongKey.chat.completions.create({ model, messages }), OpenAI.AuthenticationError);
  await assert.rejects(client.chat.completions.create({ model: hiddenModel, messages }), OpenAI.NotFoundError);
  await assert.rejects(
    client.chat.completions.create({ model, messages, temperature: 7 }),
    (error) => error instanceof OpenAI.BadRequestError && error.param === 'temperature',
  );
});
