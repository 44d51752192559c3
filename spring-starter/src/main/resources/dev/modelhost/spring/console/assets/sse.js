// Server-sent events from a fetch body, as the HTML standard parses them: lines end with \n, \r\n
// or \r; "data:" lines of one event are joined with \n; comments (": keep-alive") are skipped; an
// event ends at a blank line, and one that the stream ends before its blank line is dropped.

/** Yields the data of each event of the response body. */
export async function* events(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let data = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      buffer += value;
      let match;
      while ((match = /\r\n|\r|\n/.exec(buffer)) !== null) {
        // A lone \r at the end of the buffer may be the first half of \r\n: wait for more.
        if (match[0] === '\r' && match.index === buffer.length - 1) {
          break;
        }
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        if (line === '') {
          if (data.length > 0) {
            yield data.join('\n');
          }
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}
