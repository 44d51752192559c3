import { apiKey, masked, request, signIn, signOut } from './api.js';
import { createView } from './create.js';
import { keysView } from './keys.js';
import { playgroundView } from './playground.js';
import { serviceDetailsView, servicesView } from './services.js';
import { usageView } from './usage.js';

const signInSection = document.getElementById('sign-in');
const signInForm = document.getElementById('sign-in-form');
const keyInput = document.getElementById('api-key');
const signInError = document.getElementById('sign-in-error');
const view = document.getElementById('view');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const signOutButton = document.getElementById('sign-out');

let session = null;
let cleanup = () => {};

/** Which key this is: any valid key lists models; only the admin key reads the management API. */
async function identify() {
  await request('GET', '/v1/models');
  try {
    await request('GET', '/admin/services');
    return { admin: true };
  } catch (error) {
    if (error.status === 403) {
      return { admin: false };
    }
    throw error;
  }
}

const routes = [
  [/^services$/, (container) => servicesView(container, session)],
  [/^service\/([^/]+\/[^/]+)$/, (container, path) => serviceDetailsView(container, session, path)],
  [/^create$/, (container) => createView(container, session)],
  [/^playground(?:\/([^/]+\/[^/]+))?$/, (container, path) => playgroundView(container, session, path)],
  [/^usage$/, (container) => usageView(container, session)],
  [/^keys$/, (container) => keysView(container, session)],
];

function show() {
  cleanup();
  cleanup = () => {};
  if (!session) {
    // Nothing the last key could see stays in the page.
    view.replaceChildren();
    view.hidden = true;
    nav.hidden = true;
    signOutButton.hidden = true;
    who.textContent = '';
    signInSection.hidden = false;
    keyInput.focus();
    return;
  }
  signInSection.hidden = true;
  nav.hidden = false;
  signOutButton.hidden = false;
  who.textContent = `${session.admin ? 'Admin key' : 'Owner key'} ${masked(apiKey())}`;
  for (const link of nav.querySelectorAll('[data-admin]')) {
    link.hidden = !session.admin;
  }
  const hash = decodeURIComponent(location.hash.replace(/^#/, '')) || 'services';
  const section = hash.split('/')[0];
  for (const link of nav.querySelectorAll('a')) {
    const current = link.getAttribute('href') === `#${section === 'service' || section === 'create' ? 'services' : section}`;
    link.toggleAttribute('aria-current', current);
    if (current) {
      link.setAttribute('aria-current', 'page');
    }
  }
  view.replaceChildren();
  view.hidden = false;
  for (const [pattern, render] of routes) {
    const match = pattern.exec(hash);
    if (match) {
      cleanup = render(view, match[1]) || (() => {});
      return;
    }
  }
  location.hash = '#services';
}

signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (!key) {
    signInError.textContent = 'Enter an API key.';
    keyInput.setAttribute('aria-invalid', 'true');
    return;
  }
  signIn(key);
  try {
    session = await identify();
    keyInput.value = '';
    signInError.textContent = '';
    keyInput.removeAttribute('aria-invalid');
    show();
    document.getElementById('main').focus();
  } catch (error) {
    signOut();
    signInError.textContent = error.message;
    keyInput.setAttribute('aria-invalid', 'true');
  }
});

signOutButton.addEventListener('click', () => {
  signOut();
  session = null;
  location.hash = '';
  show();
});

// A key revoked while signed in: back to the sign-in form, saying why.
window.addEventListener('modelhost:unauthorized', (event) => {
  if (session) {
    signOut();
    session = null;
    show();
    signInError.textContent = event.detail;
  }
});

window.addEventListener('hashchange', () => {
  if (session) {
    show();
  }
});

async function start() {
  if (apiKey()) {
    try {
      session = await identify();
    } catch {
      signOut();
      session = null;
    }
  }
  show();
}

start();
