// Schemas: the broker's schema registry (`choreo schema list|show`): every registered event type
// with its latest version, the topics that validate records against the registry, and per type
// its versions, newest first, with each version's messages and fields and its .proto definition.
import {get} from './api.js';
import {fill, h, table, section, num, link, route, time, empty, badge} from './dom.js';

function validation(data) {
  const topics = data.validated_topics.length === 0
    ? h('span', {class: 'muted'}, 'none (turn it on with choreo topic alter TOPIC --schema-validation on)')
    : data.validated_topics.map((t, i) => [i ? ', ' : '', link(route(['topics', t]), t)]);
  return h('p', {class: 'validation'}, 'Schema validation on: ', topics,
      ' · records refused by validation: ',
      data.rejected_records ? badge(num(data.rejected_records), 'dead') : num(data.rejected_records));
}

async function list(ctx) {
  const data = await get('schemas');
  const body = data.subjects.length === 0
    ? empty('No schemas registered (choreo schema register FILE.proto).')
    : table([
      ['event type', (s) => link(route(['schemas', s.subject]), s.subject)],
      ['latest', (s) => `v${s.latest_version}`, 'num'],
      ['versions', (s) => num(s.version_count), 'num'],
      ['registered', (s) => time(s.registered_ms)],
    ], data.subjects, {class: 'schemas'});
  fill(ctx.main, h('h1', null, 'Schemas'),
      h('p', {class: 'muted'}, 'Registered protobuf event types (ce_type) and their versions ',
          '(ce_dataschema urn:choreo:schema:<type>:v<N>); a new version must be backward compatible.'),
      validation(data),
      section(`${data.subjects.length} event types`, body));
}

function typeTable(message) {
  return h('div', {class: 'schema-type'},
      h('h3', null, message.name),
      message.fields.length === 0 ? empty('No fields.') : table([
        ['#', (f) => f.number, 'num'],
        ['field', (f) => h('code', null, f.name)],
        ['type', (f) => h('code', null, f.type)],
        ['label', (f) => f.label],
        ['oneof', (f) => f.oneof || ''],
      ], message.fields, {class: 'fields'}));
}

function enumTable(e) {
  return h('div', {class: 'schema-type'},
      h('h3', null, `enum ${e.name}`),
      table([['#', (v) => v.number, 'num'], ['value', (v) => h('code', null, v.name)]], e.values,
          {class: 'enum-values'}));
}

function versionCard(v, latest) {
  return h('article', {class: 'card schema-version', dataset: {version: v.version}},
      h('div', {class: 'card-head'},
          h('h2', null, `v${v.version}`),
          v.version === latest ? badge('latest', 'stable') : null,
          h('span', {class: 'muted'}, `registered ${time(v.registered_ms)}`)),
      v.error ? h('p', {class: 'error-text'}, v.error) : [
        v.messages.map(typeTable),
        v.enums.map(enumTable),
      ],
      h('details', null, h('summary', null, '.proto definition'), h('pre', {class: 'definition'}, v.definition)));
}

async function detail(ctx, subject) {
  const data = await get(`schemas/${encodeURIComponent(subject)}`);
  const more = data.latest_version > data.shown_versions
    ? h('p', {class: 'muted'}, `The newest ${data.shown_versions} of ${data.latest_version} versions.`)
    : null;
  fill(ctx.main,
      h('h1', null, link('#/schemas', 'Schemas'), ' / ', data.subject),
      h('p', {class: 'muted'}, `latest v${data.latest_version} · registered ${time(data.registered_ms)}`),
      validation(data),
      more,
      h('div', {class: 'schema-versions'}, data.versions.map((v) => versionCard(v, data.latest_version))));
}

export async function render(ctx) {
  if (ctx.args.length === 0) return list(ctx);
  return detail(ctx, ctx.args[0]);
}
