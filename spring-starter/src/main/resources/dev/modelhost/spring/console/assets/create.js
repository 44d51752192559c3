import { request } from './api.js';
import { h, announce } from './dom.js';
import { fieldError, showFieldErrors } from './forms.js';

function field(id, label, input, hint) {
  input.id = id;
  input.setAttribute('aria-describedby', `${id}-error${hint ? ` ${id}-hint` : ''}`);
  return h('div', { class: 'field' },
    h('label', { for: id }, label), input,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    fieldError(`${id}-error`));
}

/** Creates a service (admin key); the API's errors appear next to the field named by their param. */
export function createView(container, session) {
  container.append(h('p', {}, h('a', { href: '#services' }, '← Model services')), h('h1', {}, 'Create a model service'));
  if (!session.admin) {
    container.append(h('p', { class: 'form-error' }, 'Creating services needs the admin key.'));
    return () => {};
  }
  const inputs = {
    owner: h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', required: true }),
    name: h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', required: true }),
    backend: h('select', {}, ['onnx', 'djl', 'remote'].map((name) => h('option', { value: name }, name))),
    location: h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', required: true }),
    replicas: h('input', { type: 'number', min: 0, max: 64, step: 1, value: 1 }),
    billing: h('select', {}, h('option', { value: 'free' }, 'Free'), h('option', { value: 'per_token' }, 'Per token')),
  };
  const prices = {
    prompt: h('input', { type: 'number', min: 0, step: 'any', value: '0.5' }),
    completion: h('input', { type: 'number', min: 0, step: 'any', value: '1.5' }),
    currency: h('input', { type: 'text', value: 'USD', maxlength: 3 }),
  };
  const priceFields = h('div', { class: 'grid2', hidden: true },
    field('create-prompt-price', 'Prompt price per million tokens', prices.prompt),
    field('create-completion-price', 'Completion price per million tokens', prices.completion),
    field('create-currency', 'Currency', prices.currency));
  inputs.billing.addEventListener('change', () => { priceFields.hidden = inputs.billing.value !== 'per_token'; });
  const formError = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Create');
  const form = h('form', { class: 'card', novalidate: true },
    h('div', { class: 'grid2' },
      field('create-owner', 'Owner', inputs.owner, 'The owner namespace, e.g. acme; its keys may call the service.'),
      field('create-name', 'Service name', inputs.name, 'Lowercase letters, digits, - _ or .; the access path is owner/name.')),
    h('div', { class: 'grid2' },
      field('create-backend', 'Backend', inputs.backend),
      field('create-replicas', 'Replicas', inputs.replicas)),
    field('create-location', 'Model location', inputs.location,
      'A model directory on the server or a hub model id such as hf:ORG/NAME (onnx, djl), or upstream base URLs'
      + ' separated by commas (remote).'),
    field('create-billing', 'Billing method', inputs.billing),
    priceFields,
    formError,
    submit);
  container.append(form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {
      owner: inputs.owner.value.trim(),
      name: inputs.name.value.trim(),
      backend: inputs.backend.value,
      location: inputs.location.value.trim(),
      replicas: inputs.replicas.value === '' ? undefined : Number(inputs.replicas.value),
      billing: inputs.billing.value === 'free' ? { type: 'free' } : {
        type: 'per_token',
        prompt_price_per_million: Number(prices.prompt.value),
        completion_price_per_million: Number(prices.completion.value),
        currency: prices.currency.value.trim(),
      },
    };
    submit.disabled = true;
    try {
      const created = await request('POST', '/admin/services', body);
      announce(`${created.access_path} is being created.`);
      location.hash = '#services';
    } catch (failure) {
      showFieldErrors(form, { [failure.param || '']: failure.message }, inputs, formError);
    } finally {
      submit.disabled = false;
    }
  });
  inputs.owner.focus();
  return () => {};
}
