import { request, stream } from './api.js';
import { h, announce } from './dom.js';
import { events } from './sse.js';

// Kept for the life of the page, so leaving the playground and coming back keeps the conversation.
const state = {
  service: null, system: '', temperature: '0.7', maxTokens: '256',
  entries: [], // {role: 'user'|'assistant'|'error', content, meta, failed}
};

function describe(error) {
  const details = [error.status ? `HTTP ${error.status}` : null, error.code, error.param ? `param ${error.param}` : null]
    .filter(Boolean).join(', ');
  return details ? `${error.message} (${details})` : error.message;
}

function usageText(usage, finishReason) {
  const parts = [];
  if (usage) {
    parts.push(`${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion = ${usage.total_tokens} tokens`);
  }
  if (finishReason === 'length') {
    parts.push('cut at the max tokens');
  }
  return parts.join(' · ');
}

/** Chat with a service: streamed answers, a Stop button that aborts the request, usage per answer. */
export function playgroundView(container, session, accessPath) {
  if (accessPath) {
    state.service = accessPath;
  }
  const service = h('select', { id: 'pg-service' });
  const system = h('textarea', { id: 'pg-system', rows: 4, placeholder: 'You are a helpful assistant.' });
  const temperature = h('input', { id: 'pg-temperature', type: 'number', min: 0, max: 2, step: 0.1 });
  const maxTokens = h('input', { id: 'pg-max-tokens', type: 'number', min: 1, step: 1 });
  const message = h('textarea', { id: 'pg-message', rows: 3, placeholder: 'Type a message; Enter sends, Shift+Enter starts a new line.' });
  const send = h('button', { type: 'submit' }, 'Send');
  const stop = h('button', { type: 'button', class: 'danger', disabled: true }, 'Stop');
  const clear = h('button', { type: 'button', class: 'secondary' }, 'Clear conversation');
  const log = h('div', { class: 'conversation card', role: 'log', 'aria-label': 'Conversation', tabindex: 0 });
  const error = h('p', { class: 'form-error', role: 'alert' });
  system.value = state.system;
  temperature.value = state.temperature;
  maxTokens.value = state.maxTokens;
  const form = h('form', { class: 'composer', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'pg-message' }, 'Message'), message),
    h('div', { class: 'buttons' }, send, stop));
  container.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Playground'), clear),
    error,
    h('div', { class: 'playground' },
      h('aside', { class: 'card' },
        h('div', { class: 'field' }, h('label', { for: 'pg-service' }, 'Service'), service),
        h('div', { class: 'field' }, h('label', { for: 'pg-system' }, 'System prompt'), system),
        h('div', { class: 'field' }, h('label', { for: 'pg-temperature' }, 'Temperature'), temperature),
        h('div', { class: 'field' }, h('label', { for: 'pg-max-tokens' }, 'Max tokens'), maxTokens)),
      h('section', { 'aria-label': 'Chat' }, log, form)));

  let controller = null;

  const bubble = (entry) => h('div', { class: `message ${entry.role}` },
    h('span', { class: 'visually-hidden' }, entry.role === 'user' ? 'You: ' : entry.role === 'error' ? 'Error: ' : 'Model: '),
    h('span', { class: 'text' }, entry.content),
    entry.meta ? h('span', { class: 'meta' }, entry.meta) : null);
  const render = () => {
    log.replaceChildren(...(state.entries.length === 0
      ? [h('p', { class: 'empty' }, 'Messages and answers appear here. Answers stream in as the model writes them.')]
      : state.entries.map(bubble)));
    log.scrollTop = log.scrollHeight;
  };
  const busy = (running) => {
    send.disabled = running;
    stop.disabled = !running;
    clear.disabled = running;
    service.disabled = running;
  };

  request('GET', '/v1/models').then((models) => {
    const ids = models.data.map((model) => model.id).sort();
    service.replaceChildren(...ids.map((id) => h('option', { value: id }, id)));
    if (state.service && ids.includes(state.service)) {
      service.value = state.service;
    } else if (state.service) {
      error.textContent = `${state.service} is not one of the services this key may use.`;
    }
    state.service = service.value || null;
  }).catch((failure) => { error.textContent = describe(failure); });

  service.addEventListener('change', () => { state.service = service.value; });
  system.addEventListener('input', () => { state.system = system.value; });
  temperature.addEventListener('input', () => { state.temperature = temperature.value; });
  maxTokens.addEventListener('input', () => { state.maxTokens = maxTokens.value; });
  clear.addEventListener('click', () => {
    state.entries = [];
    render();
    announce('Conversation cleared.');
    message.focus();
  });
  stop.addEventListener('click', () => controller && controller.abort());
  message.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === 'Escape' && controller) {
      controller.abort();
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = message.value.trim();
    if (!text || controller || !service.value) {
      return;
    }
    const body = {
      model: service.value,
      messages: [
        ...(system.value.trim() ? [{ role: 'system', content: system.value.trim() }] : []),
        ...state.entries.filter((entry) => entry.role !== 'error' && !entry.failed)
          .map((entry) => ({ role: entry.role, content: entry.content })),
        { role: 'user', content: text },
      ],
      stream: true,
      stream_options: { include_usage: true },
    };
    if (temperature.value !== '') {
      body.temperature = Number(temperature.value);
    }
    if (maxTokens.value !== '') {
      body.max_tokens = Number(maxTokens.value);
    }
    const question = { role: 'user', content: text, meta: '' };
    const answer = { role: 'assistant', content: '', meta: '' };
    state.entries.push(question, answer);
    message.value = '';
    error.textContent = '';
    render();
    const answerText = log.lastElementChild.querySelector('.text');
    log.lastElementChild.setAttribute('aria-busy', 'true');
    controller = new AbortController();
    busy(true);
    let usage = null;
    let finishReason = null;
    try {
      const response = await stream('/v1/chat/completions', body, controller.signal);
      for await (const data of events(response.body)) {
        if (data === '[DONE]') {
          break;
        }
        const chunk = JSON.parse(data);
        if (chunk.error) {
          throw Object.assign(new Error(chunk.error.message), { code: chunk.error.code, param: chunk.error.param });
        }
        for (const choice of chunk.choices || []) {
          answer.content += (choice.delta && choice.delta.content) || '';
          finishReason = choice.finish_reason || finishReason;
        }
        usage = chunk.usage || usage;
        answerText.textContent = answer.content;
        log.scrollTop = log.scrollHeight;
      }
      answer.meta = usageText(usage, finishReason);
      announce('The answer is complete.');
    } catch (failure) {
      if (failure.name === 'AbortError') {
        answer.meta = 'Stopped.';
        announce('Stopped.');
      } else {
        if (answer.content === '') {
          state.entries.pop();
          question.failed = true;
        } else {
          answer.meta = 'Interrupted by an error.';
        }
        state.entries.push({ role: 'error', content: describe(failure), meta: '' });
      }
    } finally {
      controller = null;
      busy(false);
      render();
      message.focus();
    }
  });

  busy(false);
  render();
  message.focus();
  return () => controller && controller.abort();
}
