// DOM building and formatting helpers. Every piece of data goes into the page as text nodes or
// attributes (never as HTML), so record keys, headers and payloads cannot inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function setAttributes(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

// h('a', {href: '#/x', class: 'y'}, 'text', child, [more]) -> HTMLElement
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  return append(node, children);
}

// Replaces the children of `node` (null, undefined and false are left out, arrays flattened).
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

// The same for SVG elements.
export function s(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attrs);
  return append(node, children);
}

// A table: columns are [header, (row) => cell content, optional class].
export function table(columns, rows, attrs = {}) {
  const head = h('tr', null, columns.map(([title, , cls]) => h('th', {class: cls}, title)));
  const body = rows.map((row) =>
    h('tr', null, columns.map(([, cell, cls]) => h('td', {class: cls}, cell(row)))));
  return h('table', attrs, h('thead', null, head), h('tbody', null, body));
}

export function section(title, ...children) {
  return h('section', {class: 'card'}, h('h2', null, title), children);
}

export function badge(text, kind = '') {
  return h('span', {class: `badge ${kind}`.trim()}, text);
}

export function empty(text) {
  return h('p', {class: 'muted empty'}, text);
}

export function link(href, text, attrs = {}) {
  return h('a', {href, ...attrs}, text);
}

// "#/path/seg?x=1": segments are encoded.
export function route(segments, params = {}) {
  const path = segments.map((p) => encodeURIComponent(p)).join('/');
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') query.set(k, v);
  }
  const q = query.toString();
  return `#/${path}${q ? '?' + q : ''}`;
}

const numberFormat = new Intl.NumberFormat('en-US');

export function num(n) {
  return n === undefined || n === null || n < 0 ? '–' : numberFormat.format(n);
}

export function bytes(n) {
  if (n === undefined || n === null || n < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function rate(perSecond, unit) {
  if (perSecond === null || perSecond === undefined) return '–';
  if (perSecond === 0) return `0 ${unit}/s`;
  return `${perSecond < 10 ? perSecond.toFixed(1) : numberFormat.format(Math.round(perSecond))} ${unit}/s`;
}

// "2026-12-04 10:15:30.123" (UTC, like the broker's logs).
export function time(ms) {
  if (!ms) return '–';
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function duration(ms) {
  if (ms === undefined || ms === null) return '–';
  const sign = ms < 0 ? '-' : '';
  let v = Math.abs(ms);
  if (v < 1000) return `${sign}${v} ms`;
  v = Math.round(v / 1000);
  const d = Math.floor(v / 86400);
  const hr = Math.floor((v % 86400) / 3600);
  const m = Math.floor((v % 3600) / 60);
  const sec = v % 60;
  const parts = [];
  if (d) parts.push(`${d}d`);
  if (hr) parts.push(`${hr}h`);
  if (m && !d) parts.push(`${m}m`);
  if (sec && !d && !hr) parts.push(`${sec}s`);
  return sign + (parts.join(' ') || '0s');
}

// "shop.v1.OrderCreated" -> "OrderCreated"
export function shortType(type) {
  const dot = type.lastIndexOf('.');
  return dot < 0 ? type : type.slice(dot + 1);
}

export function shortId(id) {
  return id ? id.slice(0, 8) : '–';
}
