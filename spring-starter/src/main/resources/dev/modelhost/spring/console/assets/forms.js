import { h } from './dom.js';

export function fieldError(id) {
  return h('p', { class: 'field-error', id, role: 'alert' });
}

/**
 * Shows errors next to the fields they concern. errors maps an API error's param (e.g. "owner",
 * "billing", "options.threads") to a message; fields maps the first part of a param to its input.
 * An error no field claims goes to formError.
 */
export function showFieldErrors(form, errors, fields, formError) {
  for (const input of Object.values(fields)) {
    input.removeAttribute('aria-invalid');
    const error = document.getElementById(input.getAttribute('aria-describedby')?.split(' ')[0]);
    if (error && error.classList.contains('field-error')) {
      error.textContent = '';
    }
  }
  formError.textContent = '';
  let firstInvalid = null;
  for (const [param, message] of Object.entries(errors)) {
    const input = fields[param.split(/[.[]/)[0]];
    const error = input && document.getElementById(input.getAttribute('aria-describedby')?.split(' ')[0]);
    if (error && error.classList.contains('field-error')) {
      input.setAttribute('aria-invalid', 'true');
      error.textContent = message;
      firstInvalid = firstInvalid || input;
    } else {
      formError.textContent = message;
    }
  }
  if (firstInvalid) {
    firstInvalid.focus();
  }
}
