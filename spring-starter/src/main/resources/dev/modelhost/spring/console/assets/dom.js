// Small DOM helpers. Text always goes in as text nodes, never as HTML, so data from the API cannot inject markup.

/** Builds an element: h('button', {type: 'button', onclick: fn}, 'Label', child, ...). */
export function h(tag, attributes = {}, ...children) {
  const element = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (Array.isArray(child)) {
      append(element, child);
    } else if (child !== undefined && child !== null && child !== false) {
      element.append(child instanceof Node ? child : String(child));
    }
  }
}

/** Says something to screen readers through the page's polite live region. */
export function announce(text) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

/** Copies text; falls back to a hidden text area where the Clipboard API is unavailable (plain http). */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = h('textarea', { class: 'visually-hidden', 'aria-hidden': 'true' });
  area.value = text;
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) {
    throw new Error('The browser refused to copy.');
  }
}

/** A button that copies what text() returns and says so. */
export function copyButton(label, text) {
  const button = h('button', { type: 'button', class: 'secondary small', 'aria-label': label }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await copyText(text());
      button.textContent = 'Copied';
      announce('Copied to the clipboard.');
    } catch (error) {
      button.textContent = 'Copy failed';
      announce(`Copy failed: ${error.message}`);
    }
    setTimeout(() => { button.textContent = 'Copy'; }, 1500);
  });
  return button;
}

export function formatNumber(value) {
  return new Intl.NumberFormat('en-US').format(value);
}

export function formatDate(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleString();
}
