// The console's SSE parser (the playground reads streamed answers with it) on the event stream
// format of the HTML standard, fed in every possible split of the bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { events } from '../../../../../spring-starter/src/main/resources/dev/modelhost/spring/console/assets/sse.js';

function body(...chunks) {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      chunks.forEach((chunk) => controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk));
      controller.close();
    },
  });
}

async function all(stream) {
  const result = [];
  for await (const data of events(stream)) {
    result.push(data);
  }
  return result;
}

const STREAM = ': keep-alive\n\ndata: {"a":1}\n\ndata: {"b":"é€"}\r\n\r\ndata:first\rdata: second\r\r: comment\nevent: x\ndata: [DONE]\n\n';
const EXPECTED = ['{"a":1}', '{"b":"é€"}', 'first\nsecond', '[DONE]'];

test('reads data, joins multi-line data, skips comments, for \\n, \\r\\n and \\r line ends', async () => {
  assert.deepEqual(await all(body(STREAM)), EXPECTED);
});

test('gives the same events however the bytes are split, even inside a character or a \\r\\n', async () => {
  const bytes = new TextEncoder().encode(STREAM);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(await all(body(bytes.slice(0, cut), bytes.slice(cut))), EXPECTED, `split at byte ${cut}`);
  }
});

test('drops an event that the stream ends before its blank line, as the standard says', async () => {
  assert.deepEqual(await all(body('data: {"a":1}\n\ndata: tail\n')), ['{"a":1}']);
});
