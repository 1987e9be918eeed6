// A saga drawn as a sequence diagram: one lifeline per service (ce_source), one row per event in
// time order, and for each event an arrow from the service that published its cause to the
// service that published it (the causation chain). A saga's first event arrives from outside.
// Dead-lettered and parked events get a red dashed arrow to the group that could not handle them.
import {s, shortType, time} from './dom.js';

const COLUMN = 190;
const LEFT = 120;  // room for the time labels
const TOP = 56;
const ROW = 46;
const STUB = 70;  // the length of a first event's incoming arrow

function text(x, y, content, cls, anchor = 'middle') {
  return s('text', {x, y, class: cls, 'text-anchor': anchor}, content);
}

// Lifelines: services in order of their first event, then groups that dead-lettered an event but
// published none.
function lifelines(events) {
  const names = [];
  for (const e of events) {
    const name = e.source || '(no source)';
    if (!names.includes(name)) names.push(name);
  }
  for (const e of events) {
    for (const g of e.groups) {
      if ((g.state === 'dead' || g.state === 'parked') && !names.includes(g.group)) names.push(g.group);
    }
  }
  return names;
}

function arrowHead(id, cls) {
  return s('marker', {id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
    orient: 'auto-start-reverse', class: cls}, s('path', {d: 'M0,0 L10,5 L0,10 z'}));
}

export function sequenceDiagram(timeline, onSelect) {
  const events = timeline.events;
  const names = lifelines(events);
  const column = new Map(names.map((n, i) => [n, i]));
  const x = (name) => LEFT + COLUMN / 2 + column.get(name) * COLUMN;
  const width = LEFT + names.length * COLUMN + 40;
  const height = TOP + events.length * ROW + 24;
  const start = events.length ? events[0].time_ms : 0;

  const svg = s('svg', {class: 'timeline', width, height, viewBox: `0 0 ${width} ${height}`,
    role: 'img', 'aria-label': `sequence diagram of saga ${timeline.saga_id}`},
  s('defs', null, arrowHead('arrow', 'head'), arrowHead('arrow-dead', 'head dead')));

  names.forEach((name) => {
    const cx = x(name);
    svg.append(s('g', {class: 'lifeline', dataset: {source: name}},
        s('rect', {x: cx - COLUMN / 2 + 10, y: 8, width: COLUMN - 20, height: 28, rx: 6, class: 'actor'}),
        text(cx, 27, name, 'actor-label'),
        s('line', {x1: cx, y1: 36, x2: cx, y2: height - 8, class: 'life'})));
  });

  events.forEach((e, i) => {
    const y = TOP + i * ROW + ROW / 2;
    const to = x(e.source || '(no source)');
    const parent = e.parent >= 0 ? events[e.parent] : null;
    const from = parent ? x(parent.source || '(no source)') : to - STUB;
    const g = s('g', {class: `message${parent ? '' : ' first'}`, dataset: {eventId: e.event_id, index: i},
      tabindex: 0, onclick: () => onSelect(i)},
    s('title', null, `${e.type}\nsource ${e.source}\nevent ${e.event_id}\ncaused by ${e.causation_id || '–'}\n${time(e.time_ms)}\n${e.topic}/${e.partition}@${e.offset}`));
    g.append(text(LEFT - 12, y + 4, `+${e.time_ms - start} ms`, 'delta', 'end'));
    if (parent && from === to) {
      g.append(s('path', {d: `M${to},${y - 12} h36 v14 h-34`, class: 'arrow', 'marker-end': 'url(#arrow)'}));
      g.append(text(to + 42, y - 6, shortType(e.type), 'label', 'start'));
    } else {
      g.append(s('line', {x1: from, y1: y, x2: to + (from < to ? -4 : 4), y2: y, class: 'arrow', 'marker-end': 'url(#arrow)'}));
      if (parent) {
        g.append(text((from + to) / 2, y - 7, shortType(e.type), 'label'));
      } else {
        // A first event comes from outside the saga's services: a dot, and its name beside it.
        g.append(s('circle', {cx: from, cy: y, r: 4, class: 'origin'}));
        g.append(text(to + 10, y - 7, shortType(e.type), 'label', 'start'));
      }
    }
    g.append(s('rect', {x: to - 4, y: y - 8, width: 8, height: 16, class: 'activation'}));
    for (const gr of e.groups) {
      if (gr.state !== 'dead' && gr.state !== 'parked') continue;
      const gx = x(gr.group);
      const dy = y + 12;
      g.append(s('line', {x1: to, y1: dy, x2: gx + (to < gx ? -4 : 4), y2: dy, class: `arrow ${gr.state}`,
        'marker-end': 'url(#arrow-dead)'}));
      g.append(text((to + gx) / 2, dy + 12, `${gr.state} in ${gr.group}`, `label ${gr.state}`));
    }
    svg.append(g);
  });
  return svg;
}

// Depth of each event in the causation tree (0 for roots).
export function depths(events) {
  const out = [];
  events.forEach((e, i) => { out[i] = e.parent >= 0 && e.parent < i ? out[e.parent] + 1 : 0; });
  return out;
}

