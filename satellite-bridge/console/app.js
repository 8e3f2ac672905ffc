// The console's overview: the bridge's state as it pushes it over server-sent events
// (`/events`, event `state`, the JSON of /console/state), drawn without a reload; and the
// routing between the overview (#/) and the batch view (#/batch/0x…).

import { barChart, clock, timeline } from './chart.js';
import { el, showBatch } from './batch.js';

const $ = (id) => document.getElementById(id);
let state = null;
// The bridge's clock minus the browser's, so countdowns follow the bridge.
let skew = 0;

const bridgeNow = () => Date.now() + skew;
const short = (hex) => `${hex.slice(0, 10)}…${hex.slice(-6)}`;

function seconds(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function batchLink(id) {
  return el('a', { href: `#/batch/${id}`, class: 'hex batch-link', title: id, text: short(id) });
}

function tags(list, entries, empty) {
  list.replaceChildren(
    ...(entries.length ? entries.map(([k, v]) => el('li', { 'data-key': k }, el('span', { text: k }), el('b', { text: String(v) }))) : [el('li', { class: 'muted', text: empty })]),
  );
}

function renderLink() {
  const s = state.status;
  const link = state.link;
  const up = $('link-state');
  up.textContent = s.link_up ? 'up' : 'down';
  up.className = `pill ${s.link_up ? 'up' : 'down'}`;
  $('pass-state').textContent =
    link.in_pass === true ? 'in a pass' : link.in_pass === false ? 'between passes' : 'no status from the satellite yet';
  renderSatellites();
  renderClock();
}

/** With several satellite links: each one's satellite, state and next pass (at status time). */
function renderSatellites() {
  const links = state.status.links || [];
  const list = $('satellites');
  list.hidden = links.length < 2;
  if (list.hidden) return;
  list.replaceChildren(
    ...links.map((l) => {
      const name = l.satellite === null || l.satellite === undefined ? `${l.address} (satellite ?)` : `satellite ${l.satellite}`;
      const when = l.change_in_seconds === null || l.change_in_seconds === undefined ? '' : seconds(l.change_in_seconds * 1000);
      const view = !l.up ? 'down' : l.in_pass ? `in view${when ? `, ${when} left` : ''}` : `next pass${when ? ` in ${when}` : ' unknown'}`;
      return el('li', { 'data-key': name, title: l.address }, el('span', { text: name }), el('b', { text: `${view} · ${l.countersigned || 0} countersigned` }));
    }),
  );
}

/** The parts that move with time alone: countdowns and the timeline's "now". */
function renderClock() {
  if (!state) return;
  const now = bridgeNow();
  const link = state.link;
  const current = link.in_pass ? link.passes.at(-1) : null;
  let text = '';
  if (current?.end_ms) text = `pass ends in ${seconds(current.end_ms - now)} (${clock(current.end_ms, true)})`;
  else if (link.in_pass) text = 'in view, no end announced';
  else if (link.next_start_ms) text = `next pass in ${seconds(link.next_start_ms - now)} (${clock(link.next_start_ms, true)})`;
  $('pass-clock').textContent = text;
  timeline($('timeline'), link, now);
}

function renderQueue() {
  const s = state.status;
  $('queue-depth').textContent = String(state.queue_depth);
  $('in-flight').textContent = String(s.in_flight);
  $('at-risk').textContent = String(s.at_risk);
  $('at-risk').classList.toggle('warn', s.at_risk > 0);
  const refused = Object.entries(s.refused);
  $('refused-total').textContent = String(refused.reduce((sum, [, n]) => sum + n, 0));
  tags($('stages'), Object.entries(s.stages), 'empty');
  tags($('refused'), refused, 'none');
}

function renderCertified() {
  $('certified-total').textContent = String(state.certified);
  const minutes = state.per_minute.map((m) => ({ label: clock(m.minute_ms), value: m.certified, title: `${clock(m.minute_ms)}: ${m.certified} certified` }));
  barChart($('per-minute'), minutes, { labelEvery: 5 });
  $('per-minute-sum').textContent = `(last ${minutes.length} min, since the bridge started: ${minutes.reduce((a, m) => a + m.value, 0)})`;
  const passes = state.link.passes.map((p) => ({ label: clock(p.start_ms, true), value: p.certified, title: `pass at ${clock(p.start_ms, true)}: ${p.certified} certified` }));
  barChart($('per-pass'), passes, { labelEvery: Math.max(1, Math.ceil(passes.length / 8)), empty: 'no pass seen yet' });
}

function renderServers() {
  const body = $('servers').querySelector('tbody');
  const rows = Object.entries(state.status.servers).map(([id, v]) =>
    el(
      'tr',
      { 'data-server-id': id },
      el('td', { text: id }),
      el('td', { text: v.active === true ? 'active' : v.active === false ? 'suspended' : '–' }),
      el('td', { 'data-field': 'last-sequence', text: v.last_sequence ?? '–' }),
      el('td', { 'data-field': 'pending', text: v.pending_on_chain ?? v.open }),
      el('td', { 'data-field': 'certified', text: v.certified }),
      el('td', {}, v.last_certified ? batchLink(v.last_certified) : '–'),
      el('td', { 'data-field': 'refused', text: v.refused }),
    ),
  );
  body.replaceChildren(...rows);
}

function renderEvents() {
  const body = $('events').querySelector('tbody');
  body.replaceChildren(
    ...state.events.map((e) =>
      el(
        'tr',
        { 'data-kind': e.kind, 'data-batch-id': e.batch_id },
        el('td', { text: clock(e.at_ms, true) }),
        el('td', {}, el('span', { class: `pill ${e.kind}`, text: e.kind })),
        el('td', {}, batchLink(e.batch_id)),
        el('td', { text: `${e.server_id} · ${e.sequence}` }),
        el('td', { text: e.detail ?? '' }),
      ),
    ),
  );
  $('events-empty').hidden = state.events.length > 0;
}

function render() {
  const mode = $('mode');
  mode.textContent = state.chain ? (state.status.finalized != null ? `chain · finalized #${state.status.finalized}` : 'chain · connecting') : 'HTTP-only (no chain)';
  mode.dataset.finalized = String(state.status.finalized ?? '');
  renderLink();
  renderQueue();
  renderCertified();
  renderServers();
  renderEvents();
}

function setLive(live) {
  const badge = $('live');
  badge.textContent = live ? 'live' : 'reconnecting';
  badge.className = `badge ${live ? 'up' : 'down'}`;
}

function connect() {
  const source = new EventSource('/events');
  source.addEventListener('state', (event) => {
    const next = JSON.parse(event.data);
    if (!next) return;
    state = next;
    skew = state.now_ms - Date.now();
    setLive(true);
    render();
  });
  source.addEventListener('open', () => setLive(true));
  // EventSource reconnects by itself.
  source.addEventListener('error', () => setLive(false));
}

function route() {
  const match = /^#\/batch\/?(.*)$/.exec(location.hash);
  $('overview').hidden = Boolean(match);
  $('batch').hidden = !match;
  $('nav-overview').classList.toggle('active', !match);
  $('nav-batch').classList.toggle('active', Boolean(match));
  if (!match && state) render();
  if (match) {
    const id = decodeURIComponent(match[1]).trim();
    $('batch-id').value = id;
    showBatch($('batch-result'), $('batch-note'), id).catch((e) => {
      $('batch-note').textContent = `cannot read the batch: ${e.message}`;
    });
  }
}

$('batch-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = $('batch-id').value.trim();
  if (location.hash === `#/batch/${id}`) route();
  else location.hash = `#/batch/${id}`;
});
window.addEventListener('hashchange', route);
// Charts are drawn at their laid-out width: draw again when it changes.
window.addEventListener('resize', () => state && render());
setInterval(renderClock, 1000);
route();
connect();
