// The dashboard's streams, shared by all its tabs in one browser (a SharedWorker; shared-source.js is the tabs' side).
// A browser opens at most six HTTP/1.1 connections to a host and each tab held two streams: a fourth tab, or any
// request to Pulse from that browser, waited until a tab closed. Here each stream URL has one EventSource, whatever
// the number of tabs reading it, and it closes when the last tab reading it goes.
'use strict';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;
// A tab that vanished without a word (crashed, killed) is known by its lock, where the browser has Web Locks (secure
// contexts: https, localhost); elsewhere by its silence. Hidden tabs' timers may run once a minute: hence five.
const SILENT_TAB_MS = 5 * 60 * 1000;
const SWEEP_MS = 2000;

const streams = new Map(); // url -> { url, source, handles: Set, events: Set, lastEventId, position }
const tabs = new Map(); // port -> { name, locked, heard, handles: Map(id -> handle) }

self.onconnect = (event) => {
  const port = event.ports[0];
  tabs.set(port, { name: null, locked: false, heard: Date.now(), handles: new Map() });
  port.onmessage = (message) => receive(port, message.data);
  port.start();
};

function receive(port, message) {
  const tab = tabs.get(port);
  if (!tab) return; // dropped as gone: a late message from it changes nothing
  tab.heard = Date.now();
  switch (message.op) {
    case 'hello': tab.name = message.lock; break;
    case 'locked': tab.locked = true; break;
    case 'open': open(port, tab, message); break;
    case 'close': close(tab, message.id); break;
    case 'bye': drop(port); break;
    default: break; // 'ping': heard, nothing more
  }
}

function open(port, tab, { id, url, events, fresh }) {
  let stream = streams.get(url);
  if (!stream) {
    stream = { url, source: null, handles: new Set(), events: new Set(), lastEventId: resumeIdOf(url), position: false };
    streams.set(url, stream);
  }
  (events || []).forEach((type) => stream.events.add(type));
  const handle = { port, id, stream };
  stream.handles.add(handle);
  tab.handles.set(id, handle);
  // A tab that finds its stream silent asks for a fresh one (its watchdog); one whose stream was refused for good
  // (an error answer) reopens it. Either way every tab reading the URL moves to the new source.
  if (!stream.source || fresh || stream.source.readyState === CLOSED) {
    start(stream);
  } else {
    // Joined late: listeners for this tab's events, then what a tab reading since the start already knows.
    stream.events.forEach((type) => listen(stream, stream.source, type));
    if (stream.source.readyState === OPEN) post(handle, 'open');
    if (stream.position) post(handle, 'position', undefined, stream.lastEventId);
  }
}

/** Where a reopened alerts stream resumes: the id it was opened with, until it delivers another. */
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
    streams.delete(stream.url);
  }
}

function drop(port) {
  const tab = tabs.get(port);
  if (!tab) return;
  tabs.delete(port);
  tab.handles.forEach(detach);
  port.close();
}

async function sweep() {
  let held = null;
  if (self.navigator.locks) {
    try {
      held = new Set((await self.navigator.locks.query()).held.map((lock) => lock.name));
    } catch {
      held = null;
    }
  }
  const now = Date.now();
  [...tabs].forEach(([port, tab]) => {
    const lockGone = held && tab.locked && !held.has(tab.name);
    if (lockGone || now - tab.heard > SILENT_TAB_MS) drop(port);
  });
}

setInterval(sweep, SWEEP_MS);
