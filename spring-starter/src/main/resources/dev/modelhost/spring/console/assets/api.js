// The HTTP API, with the signed-in key. The key lives in this tab's sessionStorage only and goes
// out as an Authorization header; it is never put in a URL or in the page's HTML.

const KEY = 'modelhost.apiKey';
// The page's <base> is .../console/, so the API is one level up (this keeps a servlet context path).
const ROOT = new URL('..', document.baseURI);

export class ApiError extends Error {
  constructor(status, body) {
    const error = body && body.error ? body.error : {};
    super(error.message || `The server answered ${status}.`);
    this.status = status;
    this.type = error.type || null;
    this.param = error.param || null;
    this.code = error.code || null;
  }
}

/** The error for a refused request; a 401 also tells the page that the key is no longer accepted. */
function refused(status, json) {
  const error = new ApiError(status, json);
  if (status === 401) {
    window.dispatchEvent(new CustomEvent('modelhost:unauthorized', { detail: error.message }));
  }
  return error;
}

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

export function signIn(key) {
  sessionStorage.setItem(KEY, key);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

/** The key as the server shows keys: the first five and last four characters. */
export function masked(key) {
  return key.length <= 12 ? '…' : `${key.slice(0, 5)}…${key.slice(-4)}`;
}

export function url(path) {
  return new URL(path.replace(/^\//, ''), ROOT).toString();
}

function headers(json) {
  const result = { Authorization: `Bearer ${apiKey()}` };
  if (json) {
    result['Content-Type'] = 'application/json';
  }
  return result;
}

/** One JSON request; an error answer becomes an ApiError with the server's message, param and code. */
export async function request(method, path, body, signal) {
  let response;
  try {
    response = await fetch(url(path), {
      method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body),
      signal, cache: 'no-store',
    });
  } catch (error) {
    if (error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, { error: { message: `The server could not be reached (${error.message}).` } });
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    throw refused(response.status, json);
  }
  return json;
}

/** Starts a streamed request and returns the response once its status is known. */
export async function stream(path, body, signal) {
  let response;
  try {
    response = await fetch(url(path), {
      method: 'POST', headers: headers(true), body: JSON.stringify(body), signal, cache: 'no-store',
    });
  } catch (error) {
    if (error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, { error: { message: `The server could not be reached (${error.message}).` } });
  }
  if (!response.ok) {
    let json = null;
    try {
      json = await response.json();
    } catch {
      json = null;
    }
    throw refused(response.status, json);
  }
  return response;
}
