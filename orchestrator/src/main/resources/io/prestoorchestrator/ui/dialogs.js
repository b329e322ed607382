// Confirmations and problem messages. A confirmation is a modal <dialog>: focus moves into it,
// Escape cancels, and it says what will happen before anything is sent.

import {el, replace} from './format.js';

/**
 * @param title e.g. "Resize demo"
 * @param lines what will happen, one sentence each
 * @param action the confirm button's text
 * @returns a promise of true (confirmed) or false
 */
export function confirmAction(title, lines, action, {danger = false} = {}) {
  return new Promise(resolve => {
    const dialog = el('dialog', {id: 'confirm-dialog', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-body'});
    const cancel = el('button', {type: 'button', class: 'button', id: 'confirm-cancel', text: 'Cancel'});
    const confirm = el('button', {type: 'button', class: ['button', danger ? 'button-danger' : 'button-primary'], id: 'confirm-ok', text: action});
    replace(dialog,
      el('h2', {id: 'confirm-title', text: title}),
      el('div', {id: 'confirm-body'}, lines.map(line => el('p', {text: line}))),
      el('div', {class: 'dialog-buttons'}, cancel, confirm));
    let answered = false;
    const close = value => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    cancel.addEventListener('click', () => close(false));
    confirm.addEventListener('click', () => close(true));
    dialog.addEventListener('cancel', event => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** A problem+json document as a message: its title and status, its detail, and each field error. */
export function problemBox(error, {id} = {}) {
  const problem = error.problem || {title: 'Error', detail: error.message};
  const status = problem.status ? ` (${problem.status})` : '';
  const hint = problem.status === 403
    ? 'Your token\'s role may not do this: ask for an admin token, or keep watching as a viewer.'
    : problem.status === 401 ? 'Log in again.' : null;
  return el('div', {class: 'problem', role: 'alert', id, 'data-status': String(problem.status || 0)},
    el('p', {class: 'problem-title'}, `${problem.title || 'Error'}${status}`),
    problem.detail ? el('p', {class: 'problem-detail', text: problem.detail}) : null,
    hint ? el('p', {class: 'problem-hint', text: hint}) : null,
    problem.dependency ? el('p', {text: `Failing dependency: ${problem.dependency}`}) : null,
    (problem.errors || []).length ? el('ul', {class: 'problem-fields'},
      problem.errors.map(entry => el('li', {}, el('code', {text: entry.field}), ` ${entry.message}`))) : null);
}
