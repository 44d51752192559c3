import { request } from './api.js';
import { h, formatDate, formatNumber } from './dom.js';

/** A row's cost, when the server reports one: a number (with a currency field) or {amount, currency}. */
function costOf(row) {
  const cost = row.cost;
  if (cost === undefined || cost === null) {
    return null;
  }
  if (typeof cost === 'object') {
    return { amount: Number(cost.amount), currency: cost.currency || '' };
  }
  return { amount: Number(cost), currency: row.currency || '' };
}

/** The usage rows (one per key and service) summed per service. */
export function perService(rows) {
  const services = new Map();
  for (const row of rows) {
    const total = services.get(row.service) || {
      service: row.service, requests: 0, failed: 0, cancelled: 0, prompt: 0, completion: 0, costs: new Map(),
    };
    total.requests += row.requests || 0;
    total.failed += row.failed_requests || 0;
    total.cancelled += row.cancelled_requests || 0;
    total.prompt += row.prompt_tokens || 0;
    total.completion += row.completion_tokens || 0;
    const cost = costOf(row);
    if (cost && Number.isFinite(cost.amount)) {
      total.costs.set(cost.currency, (total.costs.get(cost.currency) || 0) + cost.amount);
    }
    services.set(row.service, total);
  }
  return [...services.values()].sort((a, b) => (b.prompt + b.completion) - (a.prompt + a.completion));
}

function costText(costs) {
  if (costs.size === 0) {
    return '—';
  }
  return [...costs].map(([currency, amount]) => `${amount.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')} ${currency}`.trim())
    .join(', ');
}

/** Horizontal stacked bars, prompt and completion tokens per service, drawn as inline SVG. */
function chart(totals) {
  const width = 900;
  const label = 220;
  const bar = 22;
  const gap = 14;
  const height = 30 + totals.length * (bar + gap);
  const max = Math.max(1, ...totals.map((total) => total.prompt + total.completion));
  const scale = (width - label - 120) / max;
  const svg = h('svg:svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
    'aria-label': 'Tokens per service: prompt and completion' });
  svg.append(h('svg:line', { x1: label, y1: 10, x2: label, y2: height - 10, class: 'axis' }));
  totals.forEach((total, index) => {
    const y = 20 + index * (bar + gap);
    const promptWidth = total.prompt * scale;
    const completionWidth = total.completion * scale;
    svg.append(
      h('svg:text', { x: label - 10, y: y + bar / 2 + 4, 'text-anchor': 'end' }, total.service),
      h('svg:rect', { x: label, y, width: promptWidth, height: bar, class: 'bar-prompt' },
        h('svg:title', {}, `${total.service}: ${formatNumber(total.prompt)} prompt tokens`)),
      h('svg:rect', { x: label + promptWidth, y, width: completionWidth, height: bar, class: 'bar-completion' },
        h('svg:title', {}, `${total.service}: ${formatNumber(total.completion)} completion tokens`)),
      h('svg:text', { x: label + promptWidth + completionWidth + 8, y: y + bar / 2 + 4 },
        formatNumber(total.prompt + total.completion)));
  });
  return svg;
}

/** Tokens (and cost, where the server reports it) per service, as a chart and a table. */
export function usageView(container, session) {
  const body = h('div');
  const error = h('p', { class: 'form-error', role: 'alert' });
  const reload = h('button', { type: 'button', class: 'secondary' }, 'Refresh');
  const windows = [['all', 'All time', 0], ['hour', 'Last hour', 3600], ['day', 'Last 24 hours', 86400],
    ['week', 'Last 7 days', 604800]];
  const range = h('select', { id: 'usage-window' }, windows.map(([value, label]) => h('option', { value }, label)));
  container.append(h('div', { class: 'toolbar' }, h('h1', {}, 'Usage'),
    h('label', { for: 'usage-window' }, 'Time window'), range, reload), error, body);
  if (!session.admin) {
    error.textContent = 'Usage needs the admin key.';
    return () => {};
  }
  const load = async () => {
    try {
      const seconds = windows.find(([value]) => value === range.value)[2];
      const from = seconds ? `&from=${Math.floor(Date.now() / 1000) - seconds}` : '';
      const answer = await request('GET', `/admin/usage?group_by=service${from}`);
      const totals = perService(answer.data);
      const period = answer.from || answer.to
        ? `From ${answer.from ? formatDate(answer.from) : 'the first record'} to ${answer.to ? formatDate(answer.to) : 'now'}.`
        : 'All recorded usage.';
      const withCost = totals.some((total) => total.costs.size > 0);
      const headers = ['Service', 'Requests', 'Cancelled', 'Failed', 'Prompt tokens', 'Completion tokens', 'Total tokens']
        .concat(withCost ? ['Cost'] : []);
      body.replaceChildren(...[
        h('p', { class: 'hint' }, period),
        totals.length === 0 ? h('p', { class: 'empty' }, 'No requests yet.') : [
          chart(totals),
          h('div', { class: 'legend' },
            h('span', {}, h('span', { class: 'swatch prompt' }), 'Prompt tokens'),
            h('span', {}, h('span', { class: 'swatch completion' }), 'Completion tokens')),
          h('table', { 'aria-label': 'Usage per service' },
            h('thead', {}, h('tr', {}, headers.map((name, i) => h('th', { scope: 'col', class: i > 0 ? 'num' : null }, name)))),
            h('tbody', {}, totals.map((total) => h('tr', { dataset: { service: total.service } },
              h('th', { scope: 'row', class: 'mono' }, total.service),
              [total.requests, total.cancelled, total.failed, total.prompt, total.completion, total.prompt + total.completion]
                .map((value) => h('td', { class: 'num' }, formatNumber(value))),
              withCost ? h('td', { class: 'num' }, costText(total.costs)) : null)))),
        ]].flat());
      error.textContent = '';
    } catch (failure) {
      error.textContent = failure.message;
    }
  };
  reload.addEventListener('click', load);
  range.addEventListener('change', load);
  load();
  return () => {};
}
