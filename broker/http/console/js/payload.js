// How a record's key and value are shown: JSON pretty-printed, text as is, protobuf as its raw
// fields (numbers, no names: the broker has no schema registry yet) plus a hex dump, other bytes
// as a hex dump.
import {h} from './dom.js';

function decodeBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export function hexDump(base64) {
  const data = decodeBase64(base64);
  const lines = [];
  for (let i = 0; i < data.length; i += 16) {
    const row = data.slice(i, i + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

function rawFields(fields, depth = 0) {
  const lines = [];
  const pad = '  '.repeat(depth);
  for (const f of fields) {
    if (Array.isArray(f.value)) {
      lines.push(`${pad}${f.field} {`);
      lines.push(...rawFields(f.value, depth + 1));
      lines.push(`${pad}}`);
    } else if (f.value !== null && typeof f.value === 'object') {
      lines.push(`${pad}${f.field}: <${atob(f.value.base64).length} bytes>`);
    } else if (typeof f.value === 'string') {
      lines.push(`${pad}${f.field}: ${JSON.stringify(f.value)}`);
    } else {
      lines.push(`${pad}${f.field}: ${f.value}`);
    }
  }
  return lines;
}

function truncatedNote(v) {
  return v.truncated ? h('p', {class: 'muted small'}, `Showing the first part of ${v.size} bytes.`) : null;
}

export function renderValue(v) {
  switch (v.encoding) {
    case 'empty':
      return h('span', {class: 'muted'}, '(empty)');
    case 'json': {
      let text = v.text;
      if (!v.truncated) {
        try {
          text = JSON.stringify(JSON.parse(v.text), null, 2);
        } catch (e) {
          // Declared JSON but not: shown as the text it is.
        }
      }
      return h('div', null, h('pre', {class: 'payload json'}, text), truncatedNote(v));
    }
    case 'text':
      return h('div', null, h('pre', {class: 'payload'}, v.text), truncatedNote(v));
    case 'protobuf':
      return h('div', null,
          h('p', {class: 'note'}, v.note),
          v.fields ? h('pre', {class: 'payload'}, rawFields(v.fields).join('\n')) : null,
          h('details', null, h('summary', null, `bytes (${v.size})`),
              h('pre', {class: 'payload hex'}, hexDump(v.base64))),
          truncatedNote(v));
    default:
      return h('div', null, h('pre', {class: 'payload hex'}, hexDump(v.base64)), truncatedNote(v));
  }
}

export function renderKey(k) {
  if (k.size === 0) return h('span', {class: 'muted'}, '(none)');
  if (k.encoding === 'text') return h('code', null, k.text);
  return h('code', {title: 'not text: base64'}, k.base64);
}
