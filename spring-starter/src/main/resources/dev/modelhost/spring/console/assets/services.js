import { request, apiKey, masked } from './api.js';
import { h, announce, copyButton, formatDate } from './dom.js';
import { openDialog } from './dialog.js';
import { fieldError, showFieldErrors } from './forms.js';

const CHANGING = new Set(['creating', 'scaling', 'deleting']);
const POLL_MS = 1000;

function path(service) {
  return `${encodeURIComponent(service.owner)}/${encodeURIComponent(service.name)}`;
}

export function billingText(billing) {
  if (!billing || billing.type === 'free') {
    return 'Free';
  }
  return `Per token: ${billing.prompt_price_per_million} / ${billing.completion_price_per_million} ${billing.currency}`
    + ' per 1M prompt / completion tokens';
}

function mebibytes(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

export function statusCell(service) {
  const status = service.status || 'unknown';
  const cell = [h('span', { class: `status status-${status}` }, status.toUpperCase())];
  // While a service pulls its model from a hub: {bytes_done, bytes_total, files_done, files_total}.
  const pull = service.pull_progress;
  if (pull) {
    const text = [`${pull.files_done} of ${pull.files_total} files`];
    if (pull.bytes_total > 0) {
      text.push(`${mebibytes(pull.bytes_done)} of ${mebibytes(pull.bytes_total)}`);
      cell.push(h('progress', { max: pull.bytes_total, value: pull.bytes_done, 'aria-label': 'Download progress' }));
    }
    cell.push(h('span', { class: 'reason' }, `Downloading the model: ${text.join(', ')}`));
  }
  if (service.status_reason) {
    cell.push(h('span', { class: 'reason' }, service.status_reason));
  }
  return cell;
}

/** Polls while fn() says something is changing; returns a function that stops it. */
function poller(fn) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    timer = null;
    const again = await fn();
    if (again && !stopped) {
      timer = setTimeout(tick, POLL_MS);
    }
  };
  return {
    kick() {
      if (!timer && !stopped) {
        timer = setTimeout(tick, POLL_MS);
      }
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** The service list: a table for the admin key, the owner's services (from /v1/models) for an owner key. */
export function servicesView(container, session) {
  const tbody = h('tbody');
  const error = h('p', { class: 'form-error', role: 'alert' });
  const headers = session.admin
    ? ['Name', 'Access path', 'Model type', 'Status', 'Replicas (ready / desired)', 'Billing', 'Actions']
    : ['Name', 'Access path', 'Owner', 'Actions'];
  container.append(...[
    h('div', { class: 'toolbar' },
      h('h1', {}, 'Model services'),
      session.admin ? h('a', { class: 'button', href: '#create' }, 'Create service') : null),
    session.admin ? null : h('p', { class: 'notice' },
      'Signed in with an owner key: you can try your services in the playground. Details, scaling and deletion need the admin key.'),
    error,
    h('table', { 'aria-label': 'Model services' },
      h('thead', {}, h('tr', {}, headers.map((name) => h('th', { scope: 'col' }, name)))), tbody),
  ].filter(Boolean));

  const render = (services) => {
    const focusedId = document.activeElement && tbody.contains(document.activeElement) ? document.activeElement.id : null;
    tbody.replaceChildren(...(services.length === 0
      ? [h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, 'No model services yet.'))]
      : services.map((service) => row(service, session, refresh))));
    if (focusedId && document.getElementById(focusedId)) {
      document.getElementById(focusedId).focus();
    }
  };

  const load = async () => {
    try {
      if (session.admin) {
        const list = await request('GET', '/admin/services');
        render(list.data);
        error.textContent = '';
        return list.data.some((service) => CHANGING.has(service.status));
      }
      const list = await request('GET', '/v1/models');
      render(list.data.map((model) => {
        const [owner, ...rest] = model.id.split('/');
        return { id: model.id, access_path: model.id, owner: model.owned_by || owner, name: rest.join('/') };
      }));
      error.textContent = '';
    } catch (failure) {
      error.textContent = failure.message;
    }
    return false;
  };
  const polling = poller(load);
  function refresh() {
    load().then((changing) => changing && polling.kick());
  }
  refresh();
  return () => polling.stop();
}

function row(service, session, refresh) {
  const id = service.access_path.replace(/[^a-z0-9]/gi, '-');
  const tryIt = h('a', { class: 'button secondary small', href: `#playground/${service.access_path}` }, 'Try');
  if (!session.admin) {
    return h('tr', {},
      h('th', { scope: 'row' }, service.name),
      h('td', { class: 'mono' }, service.access_path),
      h('td', {}, service.owner),
      h('td', { class: 'actions' }, tryIt));
  }
  return h('tr', { dataset: { service: service.access_path } },
    h('th', { scope: 'row' }, service.name),
    h('td', { class: 'mono' }, service.access_path),
    h('td', {}, service.model_type || '—'),
    h('td', {}, statusCell(service)),
    h('td', { class: 'num' }, `${service.ready_replicas} / ${service.replicas}`),
    h('td', {}, billingText(service.billing)),
    h('td', { class: 'actions' },
      h('a', { class: 'button secondary small', href: `#service/${service.access_path}`, id: `${id}-details`,
        'aria-label': `Details of ${service.access_path}` }, 'Details'),
      h('button', { type: 'button', class: 'secondary small', id: `${id}-scale`, 'aria-label': `Scale ${service.access_path}`,
        onclick: () => openScaleDialog(service, refresh) }, 'Scale'),
      h('button', { type: 'button', class: 'secondary small', id: `${id}-delete`, 'aria-label': `Delete ${service.access_path}`,
        onclick: () => openDeleteDialog(service, refresh) }, 'Delete'),
      tryIt));
}

/** "Enter the number of instances": scales the service; the caller's view then shows SCALING, then RUNNING. */
export function openScaleDialog(service, onDone) {
  const input = h('input', { id: 'scale-instances', type: 'number', min: 0, max: 64, step: 1, required: true,
    value: service.replicas, autofocus: true, 'aria-describedby': 'scale-instances-error' });
  const error = fieldError('scale-instances-error');
  const formError = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Scale');
  const form = h('form', { method: 'dialog', novalidate: true },
    h('p', {}, `Enter the number of instances (replicas) of ${service.access_path}. Requests keep being served while it scales.`),
    h('div', { class: 'field' }, h('label', { for: 'scale-instances' }, 'Instances'), input, error),
    formError,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, 'Cancel'), submit));
  const dialog = openDialog({ title: `Scale ${service.access_path}`, content: form });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const replicas = Number(input.value);
    if (input.value === '' || !Number.isInteger(replicas) || replicas < 0 || replicas > 64) {
      showFieldErrors(form, { replicas: 'Enter a whole number from 0 to 64.' }, { replicas: input }, formError);
      input.focus();
      return;
    }
    submit.disabled = true;
    try {
      const scaled = await request('POST', `/admin/services/${path(service)}/scale`, { replicas });
      announce(`${service.access_path} is ${scaled.status} to ${replicas} instances.`);
      dialog.close();
      onDone(scaled);
    } catch (failure) {
      showFieldErrors(form, { [failure.param || '']: failure.message }, { replicas: input }, formError);
      submit.disabled = false;
    }
  });
}

/** Deleting needs the service's name typed exactly; the Delete button stays disabled until then. */
export function openDeleteDialog(service, onDone) {
  const input = h('input', { id: 'delete-confirm', type: 'text', autocomplete: 'off', spellcheck: 'false',
    autofocus: true, 'aria-describedby': 'delete-confirm-hint' });
  const formError = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'danger', disabled: true }, 'Delete');
  input.addEventListener('input', () => { submit.disabled = input.value !== service.name; });
  const form = h('form', { method: 'dialog', novalidate: true },
    h('p', { class: 'warning' },
      `Deleting ${service.access_path} stops the model service: it stops serving requests and billing for it stops. `
      + 'Requests already running finish first. This cannot be undone.'),
    h('div', { class: 'field' },
      h('label', { for: 'delete-confirm' }, 'Service name'), input,
      h('p', { class: 'hint', id: 'delete-confirm-hint' }, 'Type ', h('strong', {}, service.name), ' to confirm.')),
    formError,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, 'Cancel'), submit));
  const dialog = openDialog({ title: `Delete ${service.access_path}`, content: form });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (input.value !== service.name) {
      return;
    }
    submit.disabled = true;
    try {
      await request('DELETE', `/admin/services/${path(service)}?confirm=${encodeURIComponent(input.value)}`);
      announce(`${service.access_path} was deleted.`);
      dialog.close();
      onDone(null);
    } catch (failure) {
      formError.textContent = failure.message;
      submit.disabled = false;
    }
  });
}

/** Basic information, authorization and call examples of one service. */
export function serviceDetailsView(container, session, accessPath) {
  const body = h('div');
  const error = h('p', { class: 'form-error', role: 'alert' });
  container.append(
    h('p', {}, h('a', { href: '#services' }, '← Model services')),
    h('h1', {}, accessPath), error, body);
  if (!session.admin) {
    error.textContent = 'Service details need the admin key.';
    return () => {};
  }
  let current = null;
  const load = async () => {
    try {
      const service = await request('GET', `/admin/services/${accessPath}`);
      if (current === null) {
        current = service;
        body.replaceChildren(...details(service));
      } else {
        current = service;
        body.querySelector('#basic-information').replaceWith(basicInformation(service));
      }
      error.textContent = '';
      return CHANGING.has(service.status);
    } catch (failure) {
      error.textContent = failure.status === 404 ? `${accessPath} does not exist (any more).` : failure.message;
      return false;
    }
  };
  const polling = poller(load);
  load().then((changing) => changing && polling.kick());
  return () => polling.stop();

  function details(service) {
    const afterChange = (changed) => {
      if (changed === null) {
        location.hash = '#services';
        return;
      }
      load().then((changing) => changing && polling.kick());
    };
    return [
      h('div', { class: 'toolbar' },
        h('span', { class: 'hint' }, 'Manage'),
        h('button', { type: 'button', class: 'secondary', onclick: () => openScaleDialog(current, afterChange) }, 'Scale'),
        h('button', { type: 'button', class: 'secondary', onclick: () => openDeleteDialog(current, afterChange) }, 'Delete'),
        h('a', { class: 'button', href: `#playground/${service.access_path}` }, 'Try in the playground')),
      basicInformation(service),
      authorization(service),
      examples(service),
    ];
  }
}

function basicInformation(service) {
  const rows = [
    ['Service name', service.name],
    ['Access path name', h('code', {}, service.access_path)],
    ['Owner', service.owner],
    ['Model type', service.model_type || '—'],
    ['Backend', service.backend],
    ['Model location', h('code', {}, service.location)],
    ['Status', statusCell(service)],
    ['Replicas (ready / desired)', `${service.ready_replicas} / ${service.replicas}`],
    ['Load', `${service.busy_replicas} busy replicas, ${service.in_flight_requests} running, ${service.queued_requests} queued`],
    ['Billing method', billingText(service.billing)],
    ['Created', formatDate(service.created)],
  ];
  return h('section', { id: 'basic-information', class: 'card', 'aria-labelledby': 'basic-information-title' },
    h('h2', { id: 'basic-information-title' }, 'Basic information'),
    h('dl', { class: 'info' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])));
}

function authorization(service) {
  const shown = h('code', { id: 'my-key', hidden: true }, masked(apiKey()));
  const copy = copyButton('Copy my API key', () => apiKey());
  copy.hidden = true;
  const view = h('button', { type: 'button', class: 'secondary small', 'aria-expanded': 'false', 'aria-controls': 'my-key' },
    'View my API key');
  view.addEventListener('click', () => {
    const open = shown.hidden;
    shown.hidden = !open;
    copy.hidden = !open;
    view.setAttribute('aria-expanded', String(open));
    view.textContent = open ? 'Hide my API key' : 'View my API key';
  });
  return h('section', { class: 'card', 'aria-labelledby': 'authorization-title' },
    h('h2', { id: 'authorization-title' }, 'Authorization'),
    h('p', {}, service.authorization.description),
    h('div', { class: 'code' }, h('pre', {}, service.authorization.header)),
    h('div', { class: 'keyline' }, view, shown, copy));
}

function examples(service) {
  const fill = h('input', { type: 'checkbox', id: 'fill-key', checked: true });
  const withKey = (text) => (fill.checked ? text.replaceAll('<Your API Key here>', apiKey()) : text);
  const languages = [['curl', 'curl'], ['python', 'Python'], ['node', 'Node']];
  return h('section', { class: 'card', 'aria-labelledby': 'examples-title' },
    h('h2', { id: 'examples-title' }, 'Call examples'),
    h('label', { class: 'check' }, fill, 'Put my API key into copied examples (the page shows a placeholder)'),
    languages.map(([field, label]) => h('div', { class: 'code' },
      h('div', { class: 'code-head' },
        h('h3', {}, label),
        copyButton(`Copy ${label} example`, () => withKey(service.examples[field]))),
      h('pre', { 'aria-label': `${label} example` }, service.examples[field]))));
}
