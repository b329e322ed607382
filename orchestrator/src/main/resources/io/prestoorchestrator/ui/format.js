// Small DOM helpers: every node is built with createElement and textContent, never from HTML strings,
// so nothing the API returns is ever parsed as markup (and the page needs no inline script or style).

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'value' && 'value' in node) node.value = value;
    else if (key === 'checked' || key === 'disabled' || key === 'selected' || key === 'hidden' || key === 'required') node[key] = Boolean(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** el('td', {class: 'x'}, 'text', otherNode) */
export function el(tag, attrs, ...children) {
  return append(apply(document.createElement(tag), attrs), children);
}

export function svg(tag, attrs, ...children) {
  return append(apply(document.createElementNS(SVG_NS, tag), attrs), children);
}

export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

export function time(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString(undefined, {hour12: false});
}

export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return `${Math.max(seconds, 0)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

/** A state as a badge: the word is always shown, the colour only repeats it. */
export function badge(text, kind) {
  return el('span', {class: ['badge', `badge-${kind || 'neutral'}`]}, text);
}

export function stateKind(state) {
  switch (String(state || '').toLowerCase()) {
    case 'running': case 'active': case 'succeeded': case 'done': case 'ok': case 'yes': return 'good';
    case 'draining': case 'drained': case 'deploying': case 'scaling': case 'updating': case 'restarting':
    case 'starting': case 'stopping': case 'creating': case 'shutting_down': case 'pending': return 'busy';
    case 'failed': case 'no': case 'unavailable': case 'interrupted': case 'deleting': return 'bad';
    default: return 'neutral';
  }
}

/** "key=value" lines to an object; throws naming the line that is not one. */
export function parsePairs(text, label) {
  const result = {};
  text.split('\n').map(line => line.trim()).filter(Boolean).forEach((line, i) => {
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`${label}, line ${i + 1}: write key=value`);
    result[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  });
  return result;
}

export function pairs(object) {
  return Object.entries(object || {}).map(([key, value]) => `${key}=${value}`).join('\n');
}
