// Sagas: search the event index (by saga id, event id, record key or type), the stuck sagas of
// the saga definitions with their counts, and one saga's timeline (#/sagas/ID) as a sequence
// diagram across its services plus the table of its events.
import {get} from './api.js';
import {fill, h, table, section, num, link, route, time, duration, shortType, shortId, empty, badge} from './dom.js';
import {sequenceDiagram, depths} from './timeline.js';

const KINDS = [['saga', 'saga id'], ['event_id', 'event id'], ['key', 'record key'], ['type', 'event type']];

function searchForm(query) {
  const by = h('select', {name: 'by', 'aria-label': 'search by'},
      KINDS.map(([v, label]) => h('option', {value: v, selected: query.get('by') === v}, label)));
  const value = h('input', {name: 'value', type: 'search', required: true, size: 40,
    placeholder: 'ord-1234 · 5f0c… · shop.v1.OrderCreated', value: query.get('value') || '', 'aria-label': 'value'});
  const topic = h('input', {name: 'topic', placeholder: 'any topic', value: query.get('topic') || '', 'aria-label': 'topic'});
  const since = h('input', {name: 'since', type: 'datetime-local', step: 1, 'aria-label': 'since (UTC)'});
  if (query.get('since')) since.value = new Date(Number(query.get('since'))).toISOString().slice(0, 19);
  return h('form', {class: 'inline search', onsubmit: (e) => {
    e.preventDefault();
    if (by.value === 'saga') {
      location.hash = route(['sagas', value.value.trim()]);
      return;
    }
    const sinceMs = since.value ? Date.parse(since.value + 'Z') : '';
    location.hash = route(['sagas'], {by: by.value, value: value.value.trim(), topic: topic.value.trim(), since: sinceMs});
  }}, by, value, h('label', null, 'since (UTC) ', since), topic, h('button', {type: 'submit'}, 'Search'));
}

function eventsTable(events) {
  return table([
    ['time', (e) => time(e.time_ms)],
    ['type', (e) => e.type],
    ['source', (e) => e.source || '–'],
    ['saga', (e) => (e.saga_id ? link(route(['sagas', e.saga_id]), e.saga_id) : '–')],
    ['event', (e) => h('code', {title: e.event_id}, shortId(e.event_id))],
    ['cause', (e) => (e.causation_id ? h('code', {title: e.causation_id}, shortId(e.causation_id)) : '–')],
    ['record', (e) => link(route(['topics', e.topic], {partition: e.partition, offset: e.offset}),
        `${e.topic}/${e.partition}@${e.offset}`)],
    ['', (e) => (e.dlq_kind ? badge(e.dlq_kind, 'dead') : null)],
  ], events, {class: 'events'});
}

async function results(query) {
  const params = {by: query.get('by'), value: query.get('value'), topic: query.get('topic'),
    since: query.get('since'), page_token: query.get('page'), limit: 100};
  const data = await get('sagas/search', params);
  const next = data.next_page_token
    ? link(route(['sagas'], {...Object.fromEntries(query), page: data.next_page_token}), 'next page →', {class: 'button'})
    : null;
  return section(`Events with ${query.get('by')} = ${query.get('value')}`,
      data.events.length === 0 ? empty('No indexed event matches.') : eventsTable(data.events), next);
}

function stuckSection(data) {
  const counts = (data.counts || []);
  const summary = data.definitions.length === 0
    ? empty('No saga definitions: declare one with choreo saga define NAME --terminal TYPES --deadline 10m.')
    : table([
      ['definition', (d) => d.name],
      ['starts with', (d) => (d.start_types.length ? d.start_types.map(shortType).join(', ') : 'any first event')],
      ['ends with', (d) => d.terminal_types.map(shortType).join(', ')],
      ['deadline', (d) => duration(d.deadline_ms)],
      ['open', (d) => num((counts.find((c) => c.definition === d.name) || {}).open), 'num'],
      ['stuck', (d) => {
        const n = (counts.find((c) => c.definition === d.name) || {}).stuck;
        return n ? badge(num(n), 'dead') : num(n);
      }, 'num'],
    ], data.definitions, {class: 'definitions'});
  const stuck = data.stuck.length === 0 ? empty('No saga is past its deadline.') : table([
    ['saga', (x) => link(route(['sagas', x.saga_id]), x.saga_id)],
    ['definition', (x) => x.definition],
    ['started', (x) => time(x.started_ms)],
    ['overdue by', (x) => duration(x.overdue_ms)],
    ['last event', (x) => `${shortType(x.last_event.type)} from ${x.last_event.source || '–'}`],
    ['waiting since', (x) => duration(x.waited_ms)],
  ], data.stuck, {class: 'stuck'});
  return [section('Saga definitions', summary), section(`Stuck sagas (${data.stuck.length})`, stuck)];
}

async function overview(ctx) {
  const q = ctx.query;
  const parts = [h('h1', null, 'Sagas'), section('Search the event index', searchForm(q))];
  if (q.get('by') && q.get('value')) parts.push(await results(q));
  parts.push(...stuckSection(await get('sagas/stuck')));
  fill(ctx.main, ...parts);
}

function groupBadges(groups) {
  return groups.map((g) => badge(`${g.group}: ${g.state}`, g.state));
}

async function timeline(ctx, id) {
  const data = await get('sagas/timeline', {id});
  if (data.events.length === 0) {
    fill(ctx.main, h('h1', null, link('#/sagas', 'Sagas'), ' / ', id),
        section('Timeline', empty('The event index has no event of this saga.')));
    return;
  }
  const depth = depths(data.events);
  const rows = table([
    ['', (e) => h('span', {class: 'row-index'}, e.index + 1)],
    ['time', (e) => time(e.time_ms)],
    ['event', (e) => h('span', {class: 'tree', dataset: {depth: Math.min(depth[e.index], 12)}},
        depth[e.index] ? '└ ' : '', h('strong', null, shortType(e.type)))],
    ['source', (e) => e.source || '–'],
    ['id', (e) => h('code', {title: e.event_id}, shortId(e.event_id))],
    ['record', (e) => link(route(['topics', e.topic], {partition: e.partition, offset: e.offset}),
        `${e.topic}/${e.partition}@${e.offset}`)],
    ['consumer groups', (e) => groupBadges(e.groups)],
  ], data.events, {class: 'events saga-events'});
  const rowEls = rows.querySelectorAll('tbody tr');
  rowEls.forEach((tr, i) => { tr.id = `event-${i}`; });
  const select = (i) => {
    rowEls.forEach((tr, k) => tr.classList.toggle('selected', k === i));
    rowEls[i].scrollIntoView({block: 'nearest', behavior: 'smooth'});
  };
  const sources = new Set(data.events.map((e) => e.source));
  const first = data.events[0];
  const last = data.events[data.events.length - 1];
  const dead = data.dead_letters.length === 0 ? null : section(`Dead letters (${data.dead_letters.length})`,
      eventsTable(data.dead_letters),
      h('p', null, link(route(['dead-letters', data.dead_letters[0].topic]), 'Replay or discard them →')));
  fill(ctx.main, 
      h('h1', null, link('#/sagas', 'Sagas'), ' / ', h('span', {class: 'saga-id'}, data.saga_id)),
      h('p', {class: 'muted'}, `${data.events.length} events across ${sources.size} services, `,
          `${time(first.time_ms)} → ${time(last.time_ms)} (${duration(last.time_ms - first.time_ms)}); `,
          `last: ${shortType(last.type)}`, data.truncated ? ' · truncated: the saga has more events' : ''),
      section('Timeline', h('div', {class: 'diagram'}, sequenceDiagram(data, select))),
      section('Events and causation', rows),
      dead);
}

export async function render(ctx) {
  if (ctx.args.length === 0) return overview(ctx);
  return timeline(ctx, ctx.args.join('/'));
}
