// The console's router: the part of the URL after '#' names a page and its parameters
// ("#/topics/orders?partition=2"). Each page module exports render(ctx) which fills ctx.main and
// may register a refresh timer with ctx.every(). <body data-state> is "loading", "ready" or
// "error" once the page has rendered (the browser test waits for it).
import {fill, h} from './dom.js';
import * as overview from './overview.js';
import * as topics from './topics.js';
import * as groups from './groups.js';
import * as sagas from './sagas.js';
import * as deadLetters from './dead_letters.js';
import * as schemas from './schemas.js';

const pages = {
  '': overview,
  'overview': overview,
  'topics': topics,
  'groups': groups,
  'sagas': sagas,
  'dead-letters': deadLetters,
  'schemas': schemas,
};

let generation = 0;
let timers = [];

function parseHash() {
  const hash = location.hash.replace(/^#\/?/, '');
  const question = hash.indexOf('?');
  const path = question < 0 ? hash : hash.slice(0, question);
  const query = new URLSearchParams(question < 0 ? '' : hash.slice(question + 1));
  const segments = path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  return {section: segments[0] || '', args: segments.slice(1), query};
}

function setNav(section) {
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.section === (section || 'overview'));
  }
}

function showError(main, error) {
  fill(main, h('section', {class: 'card error'},
      h('h2', null, 'Something went wrong'),
      h('p', null, error.message || String(error))));
}

async function render() {
  const mine = ++generation;
  for (const t of timers) clearInterval(t);
  timers = [];
  const {section, args, query} = parseHash();
  const page = pages[section];
  setNav(section);
  const main = document.getElementById('main');
  document.body.dataset.state = 'loading';
  document.body.dataset.page = section || 'overview';
  const ctx = {
    main,
    args,
    query,
    // Whether this render is still the current one (the user may have navigated meanwhile).
    current: () => mine === generation,
    every: (ms, fn) => timers.push(setInterval(() => {
      if (mine === generation) fn().catch((e) => console.warn('refresh failed:', e.message));
    }, ms)),
  };
  try {
    if (!page) throw new Error(`no page '${section}'`);
    await page.render(ctx);
    if (ctx.current()) document.body.dataset.state = 'ready';
  } catch (error) {
    if (!ctx.current()) return;
    showError(main, error);
    document.body.dataset.state = 'error';
  }
}

async function showBroker() {
  try {
    const response = await fetch('/api/overview');
    const data = await response.json();
    const b = data.broker;
    document.getElementById('broker').textContent =
        `${b.id} ${b.version} · ${b.actions ? 'actions enabled' : 'read-only'}`;
  } catch (e) {
    document.getElementById('broker').textContent = 'broker unreachable';
  }
}

window.addEventListener('hashchange', render);
render();
showBroker();
