// A few lines instead of a framework: elements are built with text nodes, never from HTML strings.
export const h = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
};

export const main = () => document.getElementById('main');

/** Replaces the page's content and moves focus to its heading, as a page load would. */
export const show = (...nodes) => {
  const m = main();
  m.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false));
  const h1 = m.querySelector('h1');
  if (h1) {
    h1.setAttribute('tabindex', '-1');
    h1.focus();
    document.title = `${h1.textContent} · eSIM cards`;
  }
};

export const announce = (text) => (document.getElementById('status').textContent = text);

/** A labelled input; `id` ties the label to it (and problem+json's field to the input). */
export const field = (id, label, attrs = {}) => [h('label', { for: id }, label), h('input', { id, name: id, ...attrs })];

export const errorBox = () => h('div', { role: 'alert', class: 'error', hidden: true });

/** Shows an API error in words; the input it names is marked and focused. */
export const showError = (box, err) => {
  box.hidden = false;
  box.textContent = err.message || 'Something went wrong. Please try again.';
  const input = err.field && document.getElementById(err.field);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'form-error');
    input.focus();
  }
  box.id = 'form-error';
};

/** A form whose submit runs `action`, with its button disabled meanwhile and errors shown in it. */
export const form = (label, children, submitText, action) => {
  const box = errorBox();
  const button = h('button', { type: 'submit' }, submitText);
  const el = h('form', { 'aria-label': label, novalidate: true }, box, ...children, button);
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    box.hidden = true;
    el.querySelectorAll('[aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
    button.disabled = true;
    try {
      await action(new FormData(el));
    } catch (err) {
      showError(box, err);
    } finally {
      button.disabled = false;
    }
  });
  return el;
};
