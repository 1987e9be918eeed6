// Dead letters: the dead-letter topics of saga services ("<group>.dlq") with their parked sagas,
// and per topic each parked saga's dead and parked events, with replay and discard (which append
// the request record `choreo dlq replay|discard` appends; the service carries it out).
import {get, post} from './api.js';
import {fill, h, table, section, num, link, route, empty, badge, shortType, shortId} from './dom.js';

async function list(ctx) {
  const data = await get('dead-letters');
  const body = data.topics.length === 0 ? empty('No dead-letter topics (topics named <group>.dlq).') : table([
    ['topic', (t) => link(route(['dead-letters', t.topic]), t.topic)],
    ['service (group)', (t) => link(route(['groups', t.group]), t.group)],
    ['parked sagas', (t) => (t.parked_sagas ? badge(num(t.parked_sagas), 'dead') : num(t.parked_sagas)), 'num'],
    ['requested', (t) => num(t.requested), 'num'],
    ['records', (t) => num(t.records), 'num'],
    ['', (t) => (t.error ? t.error : t.truncated ? 'only the first 64 MiB per partition were read' : '')],
  ], data.topics, {class: 'dlq-topics'});
  fill(ctx.main, h('h1', null, 'Dead letters'),
      h('p', {class: 'muted'}, 'A saga service dead-letters an event whose handler failed its last attempt, ',
          'and parks the saga\'s later events behind it until the saga is replayed or discarded.'),
      section(`${data.topics.length} dead-letter topics`, body));
}

function actionButton(label, action, topic, saga, enabled, onDone) {
  let armed = false;
  const button = h('button', {type: 'button', class: action === 'discard' ? 'secondary' : '', disabled: !enabled,
    title: enabled ? '' : 'read-only: start choreod with --http-console-actions', dataset: {action}});
  button.textContent = label;
  button.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      button.textContent = `Confirm ${action}`;
      button.classList.add('danger');
      return;
    }
    button.disabled = true;
    try {
      const r = await post(`dead-letters/${encodeURIComponent(topic)}/${action}`, {saga});
      onDone(`${action} requested (offset ${r.offset} of ${r.topic}/${r.partition}); the service carries it out.`);
    } catch (error) {
      onDone(`Refused: ${error.message}`);
    }
  });
  return button;
}

function sagaCard(topic, saga, actions, done) {
  const records = table([
    ['kind', (r) => badge(r.kind, r.kind)],
    ['event', (r) => shortType(r.type || '–')],
    ['id', (r) => h('code', {title: r.event_id}, shortId(r.event_id))],
    ['original', (r) => (r.topic ? link(route(['topics', r.topic], {partition: r.partition, offset: r.offset}),
        `${r.topic}/${r.partition}@${r.offset}`) : '–')],
    ['attempts', (r) => r.attempts, 'num'],
    ['handler', (r) => r.handler || '–'],
    ['at', (r) => r.time || '–'],
    ['error', (r) => r.error || '–'],
    ['copy', (r) => link(route(['topics', topic], {partition: saga.partition, offset: r.dlq_offset}), `@${r.dlq_offset}`)],
  ], saga.records, {class: 'dlq-records'});
  return h('article', {class: 'card saga-card', dataset: {saga: saga.saga_id}},
      h('div', {class: 'card-head'},
          h('h3', null, link(route(['sagas', saga.saga_id]), saga.saga_id)),
          badge(`${saga.dead} dead`, 'dead'), saga.parked ? badge(`${saga.parked} parked`, 'parked') : null,
          saga.requested ? badge(`${saga.requested} requested`, 'requested') : null,
          h('span', {class: 'spacer'}),
          actionButton('Replay', 'replay', topic, saga.saga_id, actions, done),
          actionButton('Discard', 'discard', topic, saga.saga_id, actions, done)),
      h('p', {class: 'error-text'}, saga.first_error),
      records);
}

async function detail(ctx, topic) {
  let flash = null;  // the outcome of the last action, shown above the list
  const draw = async () => {
    const data = await get(`dead-letters/${encodeURIComponent(topic)}`);
    if (!ctx.current()) return;
    const done = (message) => {
      flash = message;
      draw().catch((e) => console.warn(e.message));
    };
    fill(ctx.main, 
        h('h1', null, link('#/dead-letters', 'Dead letters'), ' / ', topic),
        flash ? h('p', {class: 'flash'}, flash) : null,
        h('p', {class: 'muted'}, `${num(data.parked_sagas)} parked sagas · ${num(data.records)} records`,
            data.actions ? '' : ' · read-only: start choreod with --http-console-actions to replay or discard'),
        data.sagas.length === 0 ? section('Parked sagas', empty('Nothing is parked.'))
                                : h('div', null, data.sagas.map((sg) => sagaCard(topic, sg, data.actions, done))));
  };
  await draw();
}

export async function render(ctx) {
  if (ctx.args.length === 0) return list(ctx);
  return detail(ctx, ctx.args[0]);
}
