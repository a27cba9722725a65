// The dashboard's streams, shared by all its tabs in one browser (a SharedWorker; shared-source.js is the tabs' side).
// A browser opens at most six HTTP/1.1 connections to a host and each tab held two streams: a fourth tab, or any
// request to Pulse from that browser, waited until a tab closed. Here tabs reading one stream URL share one
// EventSource, which closes when the last tab reading it goes.
'use strict';

const PROTOCOL = 1; // shared-source.js checks it: a page newer than a worker still running falls back to its own streams
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;
// A tab that vanished without a word (crashed, killed) is known by its lock where the browser has Web Locks (secure
// contexts: https, localhost); elsewhere by its silence. Hidden tabs' timers may run once a minute: hence five.
const SILENT_TAB_MS = 5 * 60 * 1000;
const SWEEP_MS = 2000;
// A resumed alert stream (opened with ?lastEventId=) keeps what it delivered, up to this many, for a tab that reopens
// from the same id later than the others (its timers throttled, its back-off longer): it gets them, not just what
// comes after it joined. Past the limit a late tab gets a connection of its own.
const REPLAY_LIMIT = 500;

const streams = new Map(); // key -> { key, url, source, handles: Set, events: Set, listened: Set, lastEventId, ... }
const tabs = new Map(); // port -> { name, locked, heard, handles: Map(id -> handle), lost: [ids] }
let nextKey = 1;

self.onconnect = (event) => {
  const port = event.ports[0];
  tabs.set(port, { name: null, locked: false, heard: performance.now(), handles: new Map(), lost: [] });
  port.onmessage = (message) => receive(port, message.data);
  port.start();
};

function receive(port, message) {
  const tab = tabs.get(port);
  if (!tab) return; // said goodbye
  tab.heard = performance.now();
  // Let go of while silent (asleep, frozen): its streams end for it now, and it opens them again.
  tab.lost.splice(0).forEach((id) => port.postMessage({ id, type: 'error', readyState: CLOSED }));
  switch (message.op) {
    case 'hello':
      tab.name = message.lock;
      port.postMessage({ op: 'welcome', protocol: PROTOCOL });
      break;
    case 'locked': tab.locked = true; break;
    case 'open': open(port, tab, message); break;
    case 'close': close(tab, message.id); break;
    case 'bye': drop(port, true); break;
    default: break; // 'ping': heard, nothing more
  }
}

function open(port, tab, { id, url, events, fresh }) {
  let stream = [...streams.values()].find((s) => s.url === url && (s.replay !== null || !s.resumed));
  if (!stream) {
    const resumeId = resumeIdOf(url);
    stream = { key: nextKey++, url, source: null, handles: new Set(), events: new Set(), listened: new Set(),
      resumed: resumeId !== '', lastEventId: resumeId, position: false, replay: null };
    streams.set(stream.key, stream);
  }
  (events || []).forEach((type) => stream.events.add(type));
  const handle = { port, id, stream };
  stream.handles.add(handle);
  tab.handles.set(id, handle);
  // A tab that finds its stream silent asks for a fresh one (its watchdog); one whose stream was refused for good
  // (an error answer) reopens it. Either way every tab reading it moves to the new source.
  if (!stream.source || fresh || stream.source.readyState === CLOSED) {
    start(stream);
    return;
  }
  // Joined late: listeners for this tab's events, then what a tab reading since the start knows.
  stream.events.forEach((type) => listen(stream, stream.source, type));
  if (stream.source.readyState === OPEN) post(handle, 'open');
  if (stream.position) post(handle, 'position', undefined, stream.lastEventId);
  (stream.replay || []).forEach((e) => post(handle, e.type, e.data, e.lastEventId));
}

/** Where a reopened alert stream resumes: the id it was opened with, until it delivers another. */
function resumeIdOf(url) {
  try {
    return new URL(url, self.location.href).searchParams.get('lastEventId') || '';
  } catch {
    return '';
  }
}

function start(stream) {
  if (stream.source) stream.source.close();
  const source = new EventSource(stream.url);
  stream.source = source;
  stream.listened = new Set();
  stream.position = false;
  stream.replay = stream.resumed ? [] : null; // the new source replays from the same id
  source.addEventListener('open', () => { if (stream.source === source) broadcast(stream, 'open'); });
  source.addEventListener('error', () => { if (stream.source === source) broadcast(stream, 'error'); });
  stream.events.forEach((type) => listen(stream, source, type));
}

function listen(stream, source, type) {
  if (stream.listened.has(type)) return;
  stream.listened.add(type);
  source.addEventListener(type, (event) => {
    if (stream.source !== source) return;
    if (event.lastEventId) stream.lastEventId = event.lastEventId;
    if (type === 'position') stream.position = true;
    if (stream.replay) {
      if (stream.replay.length < REPLAY_LIMIT) stream.replay.push({ type, data: event.data, lastEventId: event.lastEventId });
      else stream.replay = null; // too much to replay: a late tab opens its own
    }
    broadcast(stream, type, event.data, event.lastEventId);
  });
}

function broadcast(stream, type, data, lastEventId) {
  stream.handles.forEach((handle) => post(handle, type, data, lastEventId));
}

function post(handle, type, data, lastEventId) {
  const source = handle.stream.source;
  handle.port.postMessage({ id: handle.id, type, data, lastEventId, readyState: source ? source.readyState : CONNECTING });
}

function close(tab, id) {
  const handle = tab.handles.get(id);
  if (!handle) return;
  tab.handles.delete(id);
  detach(handle);
}

function detach(handle) {
  const stream = handle.stream;
  stream.handles.delete(handle);
  if (stream.handles.size === 0) {
    if (stream.source) stream.source.close();
    streams.delete(stream.key);
  }
}

/** A tab gone ({@code forGood}: it said so, or its lock went with it), or silent: told if it ever speaks again. */
function drop(port, forGood) {
  const tab = tabs.get(port);
  if (!tab) return;
  tab.handles.forEach((handle, id) => {
    detach(handle);
    if (!forGood) tab.lost.push(id);
  });
  tab.handles.clear();
  if (forGood) {
    tabs.delete(port);
    port.close();
  }
}

async function sweep() {
  // Only tabs that held their lock before the query are judged by it: one granted since is not in the answer.
  const locked = [...tabs].filter(([, tab]) => tab.locked);
  let held = null;
  if (locked.length > 0 && self.navigator.locks) {
    try {
      held = new Set((await self.navigator.locks.query()).held.map((lock) => lock.name));
    } catch {
      held = null;
    }
  }
  if (held) locked.forEach(([port, tab]) => { if (!held.has(tab.name)) drop(port, true); });
  const now = performance.now();
  tabs.forEach((tab, port) => {
    if ((!tab.locked || !held) && tab.handles.size > 0 && now - tab.heard > SILENT_TAB_MS) drop(port, false);
  });
}

setInterval(sweep, SWEEP_MS);
