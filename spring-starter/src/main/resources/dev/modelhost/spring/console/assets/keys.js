import { request } from './api.js';
import { h, copyButton, formatDate } from './dom.js';
import { fieldError, showFieldErrors } from './forms.js';

/** API keys (admin): the list, and a form that makes a key for an owner, shown once. */
export function keysView(container) {
  const tbody = h('tbody');
  const error = h('p', { class: 'form-error', role: 'alert' });
  const owner = h('input', { id: 'key-owner', type: 'text', autocomplete: 'off', 'aria-describedby': 'key-owner-error' });
  const created = h('div');
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Create a key'),
    h('div', { class: 'field' }, h('label', { for: 'key-owner' }, 'Owner'), owner, fieldError('key-owner-error')),
    h('button', { type: 'submit' }, 'Create key'), created);
  container.append(h('h1', {}, 'API keys'), error,
    h('table', { 'aria-label': 'API keys' },
      h('thead', {}, h('tr', {}, ['Id', 'Owner', 'Key', 'Source', 'Created'].map((name) => h('th', { scope: 'col' }, name)))),
      tbody),
    form);
  const load = async () => {
    try {
      const list = await request('GET', '/admin/keys');
      tbody.replaceChildren(...list.data.map((key) => h('tr', {},
        h('td', { class: 'mono' }, key.id), h('td', {}, key.admin ? 'admin' : key.owner),
        h('td', { class: 'mono' }, key.masked_key), h('td', {}, key.source), h('td', {}, formatDate(key.created)))));
    } catch (failure) {
      error.textContent = failure.message;
    }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const key = await request('POST', '/admin/keys', { owner: owner.value.trim() });
      showFieldErrors(form, {}, { owner }, error);
      created.replaceChildren(h('div', { class: 'created-key' },
        h('p', {}, `Key for ${key.owner}, shown this once:`),
        h('div', { class: 'keyline' }, h('code', {}, key.key), copyButton('Copy the new key', () => key.key))));
      load();
    } catch (failure) {
      showFieldErrors(form, { [failure.param || '']: failure.message }, { owner }, error);
    }
  });
  load();
  return () => {};
}
