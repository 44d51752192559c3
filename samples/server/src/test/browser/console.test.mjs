// The web console in Debian's Chromium, headless, driven by Playwright, against a running Modelhost
// server with the default model. ConsoleBrowserTest starts the server and passes its address, keys
// and where to put screenshots in the environment. The steps build on each other, so they run in order.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const baseUrl = process.env.MODELHOST_BASE_URL;
const adminKey = process.env.MODELHOST_ADMIN_KEY;
const ownerKey = process.env.MODELHOST_API_KEY;
const modelDir = process.env.MODELHOST_MODEL_DIR;
const screenshots = process.env.MODELHOST_SCREENSHOTS;
const chromiumPath = process.env.MODELHOST_CHROMIUM || '/usr/bin/chromium';
const console_ = `${baseUrl}/console/`;

let context;
let page;
let userDataDir;
const pageErrors = [];

async function api(method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${method} ${path}`);
  return response.json();
}

async function cancelledRequests(service) {
  const usage = await api('GET', `/admin/usage?service=${encodeURIComponent(service)}`);
  return usage.data.reduce((sum, row) => sum + row.cancelled_requests, 0);
}

async function until(condition, message, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) {
      return;
    }
    if (Date.now() > deadline) {
      assert.fail(message);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function shot(name) {
  return page.screenshot({ path: join(screenshots, name), fullPage: true });
}

function serviceRow(accessPath) {
  return page.getByRole('row').filter({ has: page.getByRole('cell', { name: accessPath, exact: true }) });
}

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  userDataDir = mkdtempSync(join(tmpdir(), 'modelhost-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Failed API calls (401, 404) are expected in some steps and logged by the browser; anything else is not.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      pageErrors.push(`console error: ${message.text()}`);
    }
  });
});

after(async () => {
  await context?.close();
  rmSync(userDataDir, { recursive: true, force: true });
});

test('the page is public, under a strict CSP, and other paths keep answering JSON errors', async () => {
  const response = await page.goto(console_);
  assert.equal(response.status(), 200);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const unknown = await fetch(`${baseUrl}/consoles`);
  assert.equal(unknown.status, 401);
  assert.equal((await unknown.json()).error.code, 'invalid_api_key');
  const missingAsset = await fetch(`${baseUrl}/console/assets/missing.js`);
  assert.equal(missingAsset.status, 404);
  assert.equal((await missingAsset.json()).error.code, 'unknown_url');
});

test('signs in with the admin key and lists local/default', async () => {
  await page.goto(console_);
  await page.getByLabel('API key').fill('mh-not-a-key-at-all-00000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Incorrect API key provided').waitFor();

  await page.getByLabel('API key').fill(adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const row = serviceRow('local/default');
  await row.getByText('RUNNING').waitFor();
  assert.equal(await row.getByRole('cell').nth(3).textContent(), '1 / 1');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('modelhost.apiKey')), adminKey);
  assert.ok(!(await page.content()).includes(adminKey), 'the key is not in the page');
  await shot('console-services.png');
});

test('details: the copied curl example runs as it is and answers 200', async () => {
  await page.getByRole('link', { name: 'Details of local/default' }).click();
  await page.getByRole('heading', { name: 'Basic information' }).waitFor();
  await page.getByRole('button', { name: 'View my API key' }).click();
  assert.equal(await page.locator('#my-key').textContent(), `${adminKey.slice(0, 5)}…${adminKey.slice(-4)}`);
  await shot('console-details.png');

  await page.getByRole('button', { name: 'Copy curl example' }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /^curl '.*\/v1\/chat\/completions'/);
  assert.ok(copied.includes(`Bearer ${adminKey}`));
  // The exact text from the clipboard, plus a line that prints the status curl saw.
  const { stdout } = await promisify(execFile)('bash', ['-c', `${copied} -w '\\nHTTP %{http_code}'`]);
  const [body, status] = stdout.split('\nHTTP ');
  assert.equal(status, '200', stdout);
  const completion = JSON.parse(body);
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.model, 'local/default');
});

test('the playground streams an answer and shows its usage', async () => {
  await page.getByRole('link', { name: 'Try in the playground' }).click();
  await page.getByLabel('Service').selectOption('local/default');
  await page.getByLabel('System prompt').fill('You write fortune cookies.');
  await page.getByLabel('Temperature').fill('0');
  // Count the distinct lengths the answer has while it streams: more than one means tokens arrived one by one.
  await page.evaluate(() => {
    window.answerLengths = new Set();
    new MutationObserver(() => {
      const answers = document.querySelectorAll('.message.assistant .text');
      const last = answers[answers.length - 1];
      if (last && last.closest('[aria-busy="true"]')) {
        window.answerLengths.add(last.textContent.length);
      }
    }).observe(document.querySelector('[role="log"]'), { childList: true, subtree: true, characterData: true });
  });
  await page.getByLabel('Message').fill('Tell me a fortune.');
  await page.getByRole('button', { name: 'Send' }).click();
  const meta = page.locator('.message.assistant .meta').last();
  await meta.waitFor();
  assert.match(await meta.textContent(), /\d+ prompt \+ \d+ completion = \d+ tokens/);
  const lengths = await page.evaluate(() => [...window.answerLengths].filter((length) => length > 0));
  assert.ok(lengths.length > 1, `the answer grew in steps: ${lengths}`);
  await shot('console-playground.png');
});

test('Stop pressed mid-answer cancels the request on the server', async () => {
  await page.getByLabel('Temperature').fill('2');
  await page.getByLabel('Max tokens').fill('400');
  const before = await cancelledRequests('local/default');
  let stopped = 0;
  // At temperature 2 most answers run to 400 tokens; a short one that ends before Stop is pressed is retried.
  for (let attempt = 0; attempt < 8 && stopped === 0; attempt++) {
    await page.getByRole('button', { name: 'Clear conversation' }).click();
    await page.getByLabel('Message').fill('Tell me a long story.');
    await page.getByRole('button', { name: 'Send' }).click();
    // As soon as the first words show, or the answer has already ended.
    await page.waitForFunction(() => {
      const answer = document.querySelector('.message.assistant[aria-busy="true"] .text');
      return (answer && answer.textContent.length > 0) || !document.querySelector('[aria-busy="true"]');
    }, null, { polling: 'raf' });
    const stop = page.getByRole('button', { name: 'Stop' });
    if (await stop.isEnabled()) {
      await stop.click({ timeout: 1000 }).catch(() => {});
    }
    await page.getByRole('button', { name: 'Send' }).and(page.locator(':enabled')).waitFor();
    if ((await page.locator('.message.assistant .meta').last().textContent()) === 'Stopped.') {
      stopped++;
    }
  }
  assert.equal(stopped, 1, 'Stop landed mid-answer');
  await until(async () => (await cancelledRequests('local/default')) === before + 1,
    'the server recorded the stopped request as cancelled');
});

test('scales local/default to 2 and back, with focus kept in the dialog', async () => {
  await page.getByRole('link', { name: 'Model services' }).click();
  await page.getByRole('button', { name: 'Scale local/default' }).click();
  const dialog = page.getByRole('dialog', { name: 'Scale local/default' });
  await dialog.getByLabel('Instances').fill('2');
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    assert.ok(await dialog.evaluate((element) => element.contains(document.activeElement)), 'focus stays in the dialog');
  }
  await shot('console-scale.png');
  await dialog.getByRole('button', { name: 'Scale' }).click();
  await dialog.waitFor({ state: 'detached' });
  const row = serviceRow('local/default');
  await until(async () => (await row.getByRole('cell').nth(3).textContent()) === '2 / 2', 'two replicas ready');
  await row.getByText('RUNNING').waitFor();

  await page.getByRole('button', { name: 'Scale local/default' }).click();
  await dialog.getByLabel('Instances').fill('1');
  await page.keyboard.press('Enter');
  await until(async () => (await row.getByRole('cell').nth(3).textContent()) === '1 / 1', 'back to one replica');
  await row.getByText('RUNNING').waitFor();
  assert.equal((await api('GET', '/admin/services/local/default')).replicas, 1);
});

test('creates a service, with API errors next to their field, and deletes it by typing its name', async () => {
  await page.getByRole('link', { name: 'Create service' }).click();
  await page.getByLabel('Owner').fill('console');
  await page.getByLabel('Service name').fill('Not A Name');
  await page.getByLabel('Model location').fill(modelDir);
  await page.getByRole('button', { name: 'Create' }).click();
  const nameError = page.locator('#create-name-error');
  await nameError.waitFor();
  assert.match(await nameError.textContent(), /Invalid name 'Not A Name'/);
  assert.equal(await page.getByLabel('Service name').getAttribute('aria-invalid'), 'true');
  await shot('console-create.png');

  await page.getByLabel('Service name').fill('fortune');
  await page.getByLabel('Billing method').selectOption('per_token');
  await page.getByRole('button', { name: 'Create' }).click();
  const row = serviceRow('console/fortune');
  await row.getByText('RUNNING').waitFor({ timeout: 60_000 });

  await page.getByRole('button', { name: 'Delete console/fortune' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete console/fortune' });
  await dialog.getByText('billing for it stops').waitFor();
  const remove = dialog.getByRole('button', { name: 'Delete' });
  assert.ok(await remove.isDisabled());
  await dialog.getByLabel('Service name').fill('fortun');
  assert.ok(await remove.isDisabled(), 'a prefix of the name does not enable Delete');
  await dialog.getByLabel('Service name').fill('fortune ');
  assert.ok(await remove.isDisabled(), 'the name with a trailing space does not enable Delete');
  await dialog.getByLabel('Service name').fill('fortune');
  assert.ok(await remove.isEnabled());
  await shot('console-delete.png');
  await remove.click();
  await row.waitFor({ state: 'detached' });
  const services = await api('GET', '/admin/services');
  assert.ok(!services.data.some((service) => service.access_path === 'console/fortune'));
});

test('the usage view charts tokens per service', async () => {
  await page.getByRole('link', { name: 'Usage' }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'local/default' }) });
  await row.waitFor();
  assert.ok(Number((await row.getByRole('cell').nth(1).textContent()).replace(/,/g, '')) >= 1, 'one cancelled request');
  await page.getByRole('img', { name: 'Tokens per service: prompt and completion' }).waitFor();
  await page.getByLabel('Time window').selectOption('hour');
  await page.getByText('to now.').waitFor();
  await row.waitFor();
  await shot('console-usage.png');
});

test('the admin makes an owner key; it sees its own services until revoked; signing out forgets the key', async () => {
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Owner').fill('local');
  await page.getByRole('button', { name: 'Create key' }).click();
  const newKey = await page.locator('.created-key code').textContent();
  assert.match(newKey, /^mh-/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('modelhost.apiKey')), null);

  await page.getByLabel('API key').fill(newKey);
  await page.keyboard.press('Enter');
  await serviceRow('local/default').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Create service' }).count(), 0);
  const keys = await api('GET', '/admin/keys');
  const made = keys.data.filter((key) => key.owner === 'local' && key.source === 'api').at(-1);
  await api('DELETE', `/admin/keys/${made.id}`);
  await page.getByRole('link', { name: 'Playground' }).click();
  await page.getByText('Incorrect API key provided').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('modelhost.apiKey')), null);

  // Signing in again returns to the page the key was refused on.
  await page.getByLabel('API key').fill(ownerKey);
  await page.keyboard.press('Enter');
  await page.getByLabel('Service').locator('option', { hasText: 'local/default' }).waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('modelhost.apiKey')), null);
  assert.deepEqual(pageErrors, []);
});
