// Pulse dashboard: one /metrics/stream?view=dashboard subscription per wiki filter, rendered in place.
import { subscribe } from './stream.js';
import { updateRows } from './rows.js';
import { createCharts } from './charts.js';
import { watchAlerts } from './alerts.js';

const NAMESPACES = { '-1': '(none)', 0: 'Main', 1: 'Talk', 2: 'User', 3: 'User talk', 4: 'Project', 5: 'Project talk',
  6: 'File', 7: 'File talk', 8: 'MediaWiki', 10: 'Template', 11: 'Template talk', 12: 'Help', 14: 'Category',
  15: 'Category talk', 100: 'Portal', 118: 'Draft', 120: 'Property', 146: 'Lexeme', 828: 'Module' };
const $ = (id) => document.getElementById(id);
const number = new Intl.NumberFormat('en');
const knownWikis = new Set();
let charts;
let subscription;

function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

function time(iso) {
  return iso ? iso.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC') : '–';
}

function showState(state) {
  const el = $('connection');
  el.dataset.state = state;
  setText('connection', { live: 'Live', reconnecting: 'Reconnecting…', connecting: 'Connecting…' }[state]);
  $('banner').hidden = state !== 'reconnecting';
}

function render(snapshot) {
  const p = snapshot.pipeline;
  // Not known while the broker cannot be read: a dash, not a feed that stopped.
  setText('h-ingested', p.ingestedPerSecond == null ? '–' : `${number.format(p.ingestedPerSecond)} /s`);
  setText('h-aggregated', `${number.format(p.aggregatedPerSecond)} /s`);
  setText('h-lag', p.consumerLag == null ? '–' : number.format(p.consumerLag));
  setText('h-dead', p.deadLetters == null ? '–' : number.format(p.deadLetters));
  setText('h-newest', time(snapshot.eventTime.newest));
  setText('h-watermark', time(snapshot.eventTime.watermark));
  setText('h-late', snapshot.recent ? number.format(snapshot.recent.lateEvents) : '–');
  // The view could not be read this time (a locked table, a read timed out): what is on screen is kept,
  // marked as not current, rather than shown as live.
  markStale((snapshot.unavailable || []).includes('dashboard'));
  const d = snapshot.dashboard;
  if (!d) return;
  const windowMs = snapshot.currentMinute && snapshot.lastMinute
    ? Date.parse(snapshot.currentMinute.start) - Date.parse(snapshot.lastMinute.start) : 60000;
  charts.update(d, windowMs);
  // The ranges shown are also kept as ISO instants, for anyone (a test, a script) matching them to /api.
  Object.assign($('history-range').dataset, { from: d.historyFrom, to: d.newestWindow });
  Object.assign($('rank-range').dataset, { from: d.rankFrom, to: d.rankTo });
  setText('history-range', `${time(d.historyFrom)} – ${time(d.newestWindow).slice(11)}`);
  setText('rank-range', `${time(d.rankFrom)} – ${time(d.rankTo).slice(11)}`);
  // Keyed by both fields, not joined by a character: neither a wiki id nor a title from the feed is refused a "|".
  updateRows($('pages').tBodies[0], d.topPages, (x) => JSON.stringify([x.wiki, x.title]), (x, i) => [
    i + 1, { text: x.title, href: x.url }, x.wiki, { text: number.format(x.changes), className: 'num' }]);
  updateRows($('users').tBodies[0], d.topUsers, (x) => JSON.stringify([x.wiki, x.user]), (x, i) => [
    i + 1, { text: x.user, href: x.url, badge: x.bot ? 'bot' : '' }, x.wiki,
    { text: number.format(x.changes), className: 'num' }]);
  updateRows($('namespaces').tBodies[0], d.namespaces, (x) => String(x.namespace), (x) => [
    NAMESPACES[x.namespace] ?? `Namespace ${x.namespace}`, { text: number.format(x.changes), className: 'num' }]);
  updateRows($('wikis').tBodies[0], d.wikis, (x) => x.wiki, (x) => [
    x.domain ?? x.wiki, { text: number.format(x.changes), className: 'num' }]);
  d.wikis.forEach((w) => rememberWiki(w.domain ?? w.wiki));
}

function rememberWiki(name) {
  if (knownWikis.has(name)) return;
  knownWikis.add(name);
  const option = document.createElement('option');
  option.value = name;
  $('wiki-options').appendChild(option);
}

function markStale(stale) {
  const note = $('stale');
  if (note) setText('stale', stale ? 'Charts and rankings are not current: the database did not answer in time. '
    + 'They update by themselves once it does.' : '');
  document.body.classList.toggle('stale', stale);
}

function show(wiki) {
  if (subscription) subscription.close();
  markStale(false);
  for (const id of ['pages', 'users', 'namespaces', 'wikis']) $(id).tBodies[0].replaceChildren();
  // Nothing of the previous filter stays on screen: a wiki without changes sends no dashboard at all.
  charts.clear();
  for (const id of ['history-range', 'rank-range']) {
    delete $(id).dataset.from;
    delete $(id).dataset.to;
    setText(id, 'no changes yet');
  }
  const url = new URL(window.location.href);
  if (wiki) url.searchParams.set('wiki', wiki); else url.searchParams.delete('wiki');
  window.history.replaceState(null, '', url);
  $('wiki').value = wiki;
  showState('connecting');
  const query = new URLSearchParams({ view: 'dashboard' });
  if (wiki) query.set('wiki', wiki);
  subscription = subscribe(`/metrics/stream?${query}`, { onSnapshot: render, onState: showState });
}

window.addEventListener('DOMContentLoaded', () => {
  charts = createCharts();
  $('filter').addEventListener('submit', (event) => {
    event.preventDefault();
    if ($('wiki').checkValidity()) show($('wiki').value.trim().toLowerCase());
  });
  $('all-wikis').addEventListener('click', () => show(''));
  watchAlerts($('alerts'), $('no-alerts'));
  // A link may carry any case (the stream takes lower case only) or a value the box would refuse: the
  // stream would answer 400 and the page retry it forever behind the reconnecting banner.
  const linked = (new URLSearchParams(window.location.search).get('wiki') ?? '').trim();
  $('wiki').value = linked;
  if ($('wiki').checkValidity()) {
    show(linked.toLowerCase());
  } else {
    show('');
    $('wiki').value = linked;
    $('wiki').reportValidity();
  }
});
