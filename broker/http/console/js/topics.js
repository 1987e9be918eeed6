// Topics: the list with partitions, offsets and sizes; and the record browser of one partition
// (#/topics/NAME?partition=P&offset=O), with decoded headers, the CloudEvents envelope and the
// payload.
import {get} from './api.js';
import {fill, h, table, section, bytes, num, link, route, time, duration, shortId, empty, badge} from './dom.js';
import {renderKey, renderValue} from './payload.js';

const PAGE = 20;

async function list(ctx) {
  const data = await get('topics');
  const body = data.topics.length === 0 ? empty('No topics yet.') : table([
    ['topic', (t) => link(route(['topics', t.name]), t.name)],
    ['partitions', (t) => num(t.config.partitions), 'num'],
    ['records', (t) => num(t.records), 'num'],
    ['stored', (t) => bytes(t.stored_bytes), 'num'],
    ['retention', (t) => [t.config.retention_ms < 0 ? 'forever' : duration(t.config.retention_ms),
      t.config.retention_bytes < 0 ? '' : ` / ${bytes(t.config.retention_bytes)} per partition`]],
    ['event index', (t) => (t.config.index_events ? 'on' : 'off')],
    ['schema validation', (t) => (t.config.schema_validation ? link('#/schemas', 'on') : 'off')],
  ], data.topics, {class: 'topics'});
  fill(ctx.main, h('h1', null, 'Topics'), section(`${data.topics.length} topics`, body));
}

function envelopeView(e, topic) {
  if (!e) return null;
  return h('dl', {class: 'envelope'},
      h('dt', null, 'type'), h('dd', null, e.type || '–'),
      h('dt', null, 'source'), h('dd', null, e.source || '–'),
      h('dt', null, 'saga'), h('dd', null, e.saga_id ? link(route(['sagas', e.saga_id]), e.saga_id) : '–'),
      h('dt', null, 'event id'), h('dd', null, h('code', null, e.id)),
      h('dt', null, 'caused by'), h('dd', null, e.causation_id
          ? link(route(['sagas'], {by: 'event_id', value: e.causation_id}), h('code', null, shortId(e.causation_id)))
          : 'nothing (first event of its saga)'),
      h('dt', null, 'time'), h('dd', null, e.time || '–'),
      e.data_schema ? [h('dt', null, 'schema'), h('dd', null, e.data_schema)] : null);
}

function recordView(r, topic) {
  const headers = r.headers.length === 0 ? null : h('details', null,
      h('summary', null, `${r.headers.length} headers`),
      table([['key', (x) => h('code', null, x.key)], ['value', (x) => h('code', null, x.value)]],
          r.headers, {class: 'headers'}));
  return h('article', {class: 'record', dataset: {offset: r.offset}},
      h('div', {class: 'record-head'},
          h('span', {class: 'offset'}, `#${r.offset}`),
          h('span', {class: 'muted'}, time(r.timestamp_ms)),
          h('span', null, 'key ', renderKey(r.key)),
          r.envelope ? badge(r.envelope.type ? r.envelope.type.split('.').pop() : 'event', 'event') : null,
          r.value.content_type ? h('span', {class: 'muted small'}, r.value.content_type) : null),
      h('div', {class: 'record-body'},
          envelopeView(r.envelope, topic),
          h('div', {class: 'value'}, renderValue(r.value)),
          headers));
}

async function browse(ctx, name) {
  const topic = await get(`topics/${encodeURIComponent(name)}`);
  const partition = Number(ctx.query.get('partition') || 0);
  const params = {topic: name, partition, limit: PAGE, max_value_bytes: 8192};
  if (ctx.query.has('offset')) params.offset = ctx.query.get('offset');
  const page = await get('records', params);
  const go = (offset) => route(['topics', name], {partition, offset});
  const partitions = h('select', {
    'aria-label': 'partition',
    onchange: (e) => { location.hash = route(['topics', name], {partition: e.target.value}); },
  }, topic.partitions.map((p) => h('option', {value: p.partition, selected: p.partition === partition},
      `partition ${p.partition} (${num(p.records)} records)`)));
  const offsetInput = h('input', {type: 'number', min: 0, placeholder: 'offset', 'aria-label': 'offset', class: 'narrow'});
  const jump = h('form', {class: 'inline', onsubmit: (e) => {
    e.preventDefault();
    if (offsetInput.value !== '') location.hash = go(offsetInput.value);
  }}, offsetInput, h('button', {type: 'submit'}, 'Go'));
  const nav = h('div', {class: 'pager'},
      partitions,
      link(go(page.log_start_offset), 'oldest', {class: 'button'}),
      link(go(Math.max(page.log_start_offset, page.from - PAGE)), '← earlier', {class: 'button'}),
      link(go(page.next_offset), 'later →', {class: 'button'}),
      link(route(['topics', name], {partition}), 'newest', {class: 'button'}),
      jump,
      h('span', {class: 'muted'}, `offsets ${num(page.log_start_offset)} … ${num(page.high_watermark - 1)}`));
  const records = page.records.length === 0 ? empty('No records in this range.')
                                            : h('div', {class: 'records'}, page.records.map((r) => recordView(r, name)));
  const p = topic.partitions[partition];
  fill(ctx.main, 
      h('h1', null, link('#/topics', 'Topics'), ' / ', name),
      h('p', {class: 'muted'}, `${topic.config.partitions} partitions · ${num(topic.records)} records · `,
          `${bytes(topic.stored_bytes)} · partition ${partition}: ${num(p.records)} records, ${bytes(p.stored_bytes)}`),
      nav,
      records);
}

export async function render(ctx) {
  if (ctx.args.length === 0) return list(ctx);
  return browse(ctx, ctx.args[0]);
}
