// Consumer groups: the list with state, members and lag; one group's members, assignments and
// per-partition committed offsets and lag; and (with --http-console-actions, group empty) the
// offset reset of `choreo group reset-offsets`.
import {get, post} from './api.js';
import {fill, h, table, section, num, link, route, empty, badge} from './dom.js';

async function list(ctx) {
  const data = await get('groups');
  const body = data.groups.length === 0 ? empty('No consumer groups yet.') : table([
    ['group', (g) => link(route(['groups', g.group]), g.group)],
    ['state', (g) => badge(g.state, g.state)],
    ['members', (g) => num(g.members), 'num'],
    ['partitions', (g) => num(g.partitions), 'num'],
    ['lag', (g) => num(g.lag), 'num'],
    ['topics', (g) => (g.topics || []).join(', ')],
  ], data.groups, {class: 'groups'});
  fill(ctx.main, h('h1', null, 'Consumer groups'), section(`${data.groups.length} groups`, body));
}

function lagBar(o) {
  if (o.lag < 0) return '–';
  const total = Math.max(1, o.log_end_offset);
  const done = o.committed_offset < 0 ? 0 : o.committed_offset / total;
  return h('span', {class: 'lag'},
      h('progress', {max: 1000, value: Math.round(done * 1000), 'aria-label': 'consumed'}),
      h('span', {class: o.lag > 0 ? 'lagging' : ''}, num(o.lag)));
}

function resetForm(group, overview) {
  const topics = [...new Set(group.offsets.map((o) => o.topic))];
  const topic = h('select', {name: 'topic', 'aria-label': 'topic'}, topics.map((t) => h('option', {value: t}, t)));
  const partition = h('input', {name: 'partition', type: 'number', min: 0, placeholder: 'all partitions', class: 'narrow'});
  const to = h('select', {name: 'to', 'aria-label': 'to'},
      ['earliest', 'latest', 'offset', 'timestamp'].map((t) => h('option', {value: t}, t)));
  const value = h('input', {name: 'value', type: 'number', min: 0, placeholder: 'offset or ms', class: 'narrow'});
  const result = h('p', {class: 'muted'});
  const button = h('button', {type: 'submit'}, 'Reset offsets');
  let armed = false;
  const form = h('form', {class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    if (!armed) {
      armed = true;
      button.textContent = 'Confirm reset';
      button.classList.add('danger');
      return;
    }
    armed = false;
    button.textContent = 'Reset offsets';
    button.classList.remove('danger');
    try {
      const r = await post(`groups/${encodeURIComponent(group.group)}/reset-offsets`, {
        topic: topic.value, partition: partition.value, to: to.value, value: value.value,
      });
      result.textContent = `Committed: ${r.offsets.map((o) => `${r.topic}/${o.partition} → ${o.offset}`).join(', ')}`;
    } catch (error) {
      result.textContent = `Refused: ${error.message}`;
    }
  }}, topic, partition, to, value, button);
  const note = !overview.broker.actions
    ? h('p', {class: 'muted'}, 'Read-only: start choreod with --http-console-actions to reset offsets.')
    : group.members.length > 0
      ? h('p', {class: 'muted'}, 'Offsets can be reset only while the group has no members.')
      : null;
  if (!overview.broker.actions || group.members.length > 0) {
    for (const el of form.elements) el.disabled = true;
  }
  return section('Reset offsets', note, form, result);
}

async function detail(ctx, id) {
  const [group, overview] = await Promise.all([get(`groups/${encodeURIComponent(id)}`), get('overview')]);
  const members = group.members.length === 0 ? empty('No members: only committed offsets.') : table([
    ['member', (m) => h('code', null, m.member_id)],
    ['client', (m) => m.client_id || '–'],
    ['instance', (m) => m.instance_id || '–'],
    ['epoch', (m) => num(m.member_epoch), 'num'],
    ['assigned partitions', (m) => m.assignment.map((p) => `${p.topic}/${p.partition}`).join(', ') || '–'],
  ], group.members, {class: 'members'});
  const offsets = group.offsets.length === 0 ? empty('Nothing committed yet.') : table([
    ['topic', (o) => link(route(['topics', o.topic], {partition: o.partition}), o.topic)],
    ['partition', (o) => o.partition, 'num'],
    ['committed', (o) => (o.committed_offset < 0 ? '–' : link(route(['topics', o.topic],
        {partition: o.partition, offset: o.committed_offset}), num(o.committed_offset))), 'num'],
    ['log end', (o) => num(o.log_end_offset), 'num'],
    ['lag', lagBar, 'num'],
    ['owner', (o) => (o.owner ? h('code', null, o.owner.slice(0, 12)) : '–')],
  ], group.offsets, {class: 'offsets'});
  fill(ctx.main, 
      h('h1', null, link('#/groups', 'Consumer groups'), ' / ', group.group),
      h('p', null, badge(group.state, group.state), ` epoch ${group.group_epoch} · `,
          `${group.members.length} members · lag ${num(group.offsets.reduce((a, o) => a + Math.max(0, o.lag), 0))}`),
      section('Members', members),
      section('Partitions', offsets),
      resetForm(group, overview));
}

export async function render(ctx) {
  if (ctx.args.length === 0) return list(ctx);
  return detail(ctx, ctx.args.join('/'));
}
