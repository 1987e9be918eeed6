// Overview: what the broker holds (topics, partitions, records, disk), its traffic and its sagas.
// Rates come from the produced/fetched counters of two successive polls (every 5 s).
import {get} from './api.js';
import {fill, h, table, section, bytes, num, rate, link, route, duration, empty} from './dom.js';

function stat(label, value, detail, href) {
  const body = [h('div', {class: 'stat-value'}, value), h('div', {class: 'stat-label'}, label)];
  if (detail) body.push(h('div', {class: 'stat-detail muted'}, detail));
  return href ? h('a', {class: 'stat', href}, body) : h('div', {class: 'stat'}, body);
}

function rates(previous, current) {
  if (!previous) return null;
  const seconds = (current.broker.time_ms - previous.broker.time_ms) / 1000;
  if (seconds <= 0) return null;
  const before = new Map(previous.topics.map((t) => [t.name, t]));
  const per = (a, b, field) => Math.max(0, (a[field] - b[field]) / seconds);
  const topics = new Map();
  for (const t of current.topics) {
    const b = before.get(t.name);
    if (b) topics.set(t.name, {produced: per(t, b, 'produced_records'), fetched: per(t, b, 'fetched_records')});
  }
  return {
    produced: per(current.totals, previous.totals, 'produced_records'),
    producedBytes: per(current.totals, previous.totals, 'produced_bytes'),
    fetched: per(current.totals, previous.totals, 'fetched_records'),
    topics,
  };
}

function view(data, r) {
  const t = data.totals;
  const d = data.disk;
  const sagas = data.sagas || {};
  const used = d.filesystem_bytes ? d.filesystem_bytes - d.filesystem_available_bytes : null;
  const stats = h('div', {class: 'stats'},
      stat('topics', num(t.topics), `${num(t.partitions)} partitions`, '#/topics'),
      stat('records stored', num(t.records), bytes(t.stored_bytes)),
      stat('produce rate', r ? rate(r.produced, 'rec') : 'measuring…',
          r ? rate(r.producedBytes / 1024, 'KiB') : 'two samples, 5 s apart'),
      stat('fetch rate', r ? rate(r.fetched, 'rec') : 'measuring…', null),
      stat('data directory', bytes(d.data_dir_bytes), d.data_dir),
      stat('disk', used === null ? '–' : `${Math.round((100 * used) / d.filesystem_bytes)} % used`,
          d.filesystem_bytes ? `${bytes(d.filesystem_available_bytes)} free of ${bytes(d.filesystem_bytes)}` : null),
      stat('consumer groups', num(t.groups), `${num(t.groups_with_members)} with members`, '#/groups'),
      stat('sagas', sagas.open === undefined ? '–' : `${num(sagas.open)} open`,
          sagas.stuck ? `${num(sagas.stuck)} stuck` : `${num(sagas.definitions)} definitions`,
          '#/sagas'));
  if (sagas.stuck) stats.lastChild.classList.add('alert');
  const topics = data.topics.length === 0 ? empty('No topics yet.') : table([
    ['topic', (x) => link(route(['topics', x.name]), x.name)],
    ['partitions', (x) => num(x.config.partitions), 'num'],
    ['records', (x) => num(x.records), 'num'],
    ['stored', (x) => bytes(x.stored_bytes), 'num'],
    ['produce rate', (x) => (r && r.topics.get(x.name) ? rate(r.topics.get(x.name).produced, 'rec') : '–'), 'num'],
    ['fetch rate', (x) => (r && r.topics.get(x.name) ? rate(r.topics.get(x.name).fetched, 'rec') : '–'), 'num'],
    ['produced since start', (x) => num(x.produced_records), 'num'],
    ['retention', (x) => (x.config.retention_ms < 0 ? 'forever' : duration(x.config.retention_ms))],
    ['event index', (x) => (x.config.index_events ? 'on' : 'off')],
  ], data.topics, {class: 'topics'});
  const up = duration(data.broker.time_ms - data.broker.started_ms);
  return [
    h('h1', null, 'Overview'),
    h('p', {class: 'muted'}, `Broker ${data.broker.id}, up ${up}. `,
        data.broker.actions ? 'Console actions are enabled.'
                            : 'Read-only: start choreod with --http-console-actions to replay, discard or reset offsets.'),
    stats,
    section('Topics', topics),
  ];
}

export async function render(ctx) {
  let previous = await get('overview');
  fill(ctx.main, ...view(previous, null));
  ctx.every(5000, async () => {
    const current = await get('overview');
    if (!ctx.current()) return;
    fill(ctx.main, ...view(current, rates(previous, current)));
    previous = current;
  });
}
