// The dashboard's streams, shared by all its tabs in one browser (a SharedWorker; shared-source.js is the tabs' side).
// A browser opens at most six HTTP/1.1 connections to a host and each tab held two streams: a fourth tab, or any
// request to Pulse from that browser, waited until a tab closed. Here tabs reading one stream URL share one
// EventSource, which closes when the last tab reading it goes.
'use strict';

const PROTOCOL = 3; // shared-source.js checks it: a page newer than a worker still running falls back to its own streams
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;
// A tab that vanished without a word (crashed, killed) is known by its lock where the browser has Web Locks (secure
// contexts: https, localhost); elsewhere by its silence. Hidden tabs' timers may run once a minute: hence five.
const SILENT_TAB_MS = 5 * 60 * 1000;
const SWEEP_MS = 2000;
// An alert stream keeps what it delivered, up to this many. Resumed (opened with ?lastEventId=), for a tab that reopens
// from the same id later than the others (its timers throttled, its back-off longer): it gets all of it, not just what
// comes after it joined; past the limit a late tab gets a connection of its own. Opened without an id (live since its
// 'position'), for tabs that join it or move onto it from their own resumed stream: they get the latest RECENT, since
// the server sends a batch's alerts live in another order than a replay does (ties of publication time), so the latest
// id alone does not say that a tab has everything before it.
const DELIVERED_LIMIT = 500;
const RECENT = 100;
// A stream is heard lately if it delivered anything within two of its heartbeats (at least this long). One that sends
// heartbeats and is not is dead, though its connection reads as open (a network gone): a tab is not joined or merged
// onto it. A tab's watchdog that asks afresh for a stream heard lately is joined to it instead: the tab's timers ran
// late (hidden), or the other tabs, which heard the same last event, had it started again a second before (a replay
// read each).
const MIN_SILENCE_MS = 10000;

const streams = new Map(); // key -> { key, url, source, handles: Set, events: Set, listened: Set, lastEventId, ... }
const tabs = new Map(); // port -> { name, locked, heard, handles: Map(id -> handle) }
let nextKey = 1;

self.onconnect = (event) => {
  const port = event.ports[0];
  port.onmessage = (message) => receive(port, message.data);
  port.start();
};

function receive(port, message) {
  let tab = tabs.get(port);
  if (!tab) {
    if (message.op === 'bye') return;
    // New, or let go of while silent (asleep, frozen): its next ping tells it which of its streams ended for it.
    tab = { name: null, locked: false, heard: 0, handles: new Map() };
    tabs.set(port, tab);
  }
  tab.heard = performance.now();
  if (message.lock) tab.name = message.lock; // every ping names it too: a tab forgotten and back keeps its lock
  if (message.locked) tab.locked = true;
  switch (message.op) {
    case 'hello':
      port.postMessage({ op: 'welcome', protocol: PROTOCOL });
      break;
    case 'locked': tab.locked = true; break;
    case 'open': open(port, tab, message); break;
    case 'close': close(tab, message.id); break;
    case 'bye': drop(port, true); break;
    case 'ping':
      port.postMessage({ op: 'pong', seq: message.seq, unknown: (message.ids || []).filter((id) => !tab.handles.has(id)) });
      break;
    default: break;
  }
}

function open(port, tab, { id, url, events, fresh }) {
  const resumeId = resumeIdOf(url);
  const family = familyOf(url);
  // Dead: silent for two heartbeats, or found silent by this tab's watchdog (a fresh ask) and not heard lately.
  const dead = (s) => silent(s) || (fresh && !heardLately(s));
  let stream = [...streams.values()].find((s) => s.url === url && (s.complete || !s.resumed));
  if (stream && livePositioned(stream) && dead(stream)) {
    retire(stream);
    stream = undefined;
  }
  let replay = true;
  if (!stream && resumeId && !fresh) {
    // A live stream of its kind whose latest event is the id asked for delivers next what the tab wants, with its
    // recent events for what it sent out of order: after a tab's own reopen (from silence, say) it is back on the
    // others' connection.
    stream = [...streams.values()].find((s) => s.family === family && joinable(s) && s.lastEventId === resumeId);
    replay = false;
  }
  if (!stream) {
    stream = { key: nextKey++, url, family, source: null, handles: new Set(), events: new Set(), listened: new Set(),
      resumed: resumeId !== '', lastEventId: resumeId, position: false, delivered: [], complete: true };
    streams.set(stream.key, stream);
  }
  (events || []).forEach((type) => stream.events.add(type));
  const handle = { port, id, stream };
  stream.handles.add(handle);
  tab.handles.set(id, handle);
  // A tab that finds its stream silent asks for a fresh one (its watchdog); one whose stream was refused for good
  // (an error answer) reopens it; a stream silent for two heartbeats is dead, though its connection reads as open (a
  // frozen tab held it). Started again, every tab reading it moves to the new source, which replays from its URL's id.
  if (!stream.source || dead(stream) || stream.source.readyState === CLOSED) {
    start(stream);
    return;
  }
  // Joined late: listeners for this tab's events, then what a tab reading since the start knows.
  stream.events.forEach((type) => listen(stream, stream.source, type));
  if (stream.source.readyState === OPEN) post(handle, 'open');
  if (stream.position) post(handle, 'position', undefined, stream.lastEventId);
  // Its heartbeat interval, which arms the tab's watchdog: joined just before the stream fell silent, the tab would
  // otherwise never hear one, nor find it dead.
  if (stream.heartbeatMs > 0) post(handle, 'heartbeat', JSON.stringify({ intervalMs: stream.heartbeatMs }), stream.lastEventId);
  const missed = !replay ? stream.delivered.slice(-RECENT) : stream.resumed ? stream.delivered : [];
  missed.forEach((e) => post(handle, e.type, e.data, e.lastEventId));
}

function live(stream) {
  return stream.source !== null && stream.source.readyState !== CLOSED;
}

/** Opened without an id, live since its position: what it delivers after any of its events is what a tab wants. */
function livePositioned(stream) {
  return !stream.resumed && stream.position && live(stream);
}

/** A live stream a tab can join: one that is not silent. */
function joinable(stream) {
  return livePositioned(stream) && !silent(stream);
}

function heardLately(stream) {
  return performance.now() - stream.heardAt < Math.max(2 * (stream.heartbeatMs || 0), MIN_SILENCE_MS);
}

/**
 * A live alert stream (opened without an id) that is dead: started again in place, it would start live, and its tabs
 * would take its new position past what they missed. They are told it ended instead, and reopen from their own last
 * ids; it closes.
 */
function retire(stream) {
  stream.handles.forEach((handle) => {
    handle.port.postMessage({ id: handle.id, type: 'error', readyState: CLOSED });
    tabs.get(handle.port)?.handles.delete(handle.id);
  });
  stream.handles.clear();
  stream.source.close();
  streams.delete(stream.key);
}

/** Heard nothing for two heartbeats: its connection died without a word, though it reads as open. */
function silent(stream) {
  return stream.heartbeatMs > 0 && !heardLately(stream);
}

/** The URL without the id it resumes from: streams of one family deliver the same events once caught up. */
function familyOf(url) {
  try {
    const parsed = new URL(url, self.location.href);
    parsed.searchParams.delete('lastEventId');
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}

/**
 * A resumed stream whose latest event is a live stream's of its family has caught up with it: its tabs move there,
 * with that stream's recent events, and its connection closes (tabs reopening from their own ids would otherwise
 * keep one each). Two resumed streams are not merged: one may still be replaying what the other skipped.
 */
function mergeCaughtUp(stream) {
  if (!stream.lastEventId) return;
  const other = [...streams.values()].find((s) => s !== stream && s.family === stream.family
    && s.lastEventId === stream.lastEventId && (stream.resumed ? joinable(s) : s.resumed && live(s)));
  if (!other || (!stream.resumed && !joinable(stream))) return;
  const [from, to] = stream.resumed ? [stream, other] : [other, stream];
  from.events.forEach((type) => to.events.add(type));
  to.events.forEach((type) => listen(to, to.source, type));
  from.handles.forEach((handle) => {
    handle.stream = to;
    to.handles.add(handle);
    to.delivered.slice(-RECENT).forEach((e) => post(handle, e.type, e.data, e.lastEventId));
  });
  from.handles.clear();
  from.source.close();
  streams.delete(from.key);
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
  stream.heardAt = performance.now();
  stream.delivered = []; // a resumed one's new source replays from the same id
  stream.complete = true;
  source.addEventListener('open', () => {
    if (stream.source !== source) return;
    stream.heardAt = performance.now();
    broadcast(stream, 'open');
  });
  source.addEventListener('error', () => { if (stream.source === source) broadcast(stream, 'error'); });
  stream.events.forEach((type) => listen(stream, source, type));
}

function listen(stream, source, type) {
  if (stream.listened.has(type)) return;
  stream.listened.add(type);
  source.addEventListener(type, (event) => {
    if (stream.source !== source) return;
    stream.heardAt = performance.now();
    if (event.lastEventId) stream.lastEventId = event.lastEventId;
    if (type === 'heartbeat') {
      try { stream.heartbeatMs = Number(JSON.parse(event.data).intervalMs) || 0; } catch { stream.heartbeatMs = 0; }
    }
    if (type === 'position') {
      stream.position = true;
    } else if (type !== 'heartbeat' && (stream.resumed || stream.position)) { // a heartbeat says "alive now", no more
      stream.delivered.push({ type, data: event.data, lastEventId: event.lastEventId });
      if (stream.delivered.length > DELIVERED_LIMIT) {
        stream.delivered.shift();
        stream.complete = false; // too much to replay: a late tab on its URL opens its own
      }
    }
    broadcast(stream, type, event.data, event.lastEventId);
    // Not on a heartbeat: it comes first, before a resumed stream's replay, with the id it was opened with.
    if (type !== 'heartbeat') mergeCaughtUp(stream);
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

/** A tab gone ({@code forGood}: it said so, or its lock went with it), or silent: forgotten until it speaks again. */
function drop(port, forGood) {
  const tab = tabs.get(port);
  if (!tab) return;
  tabs.delete(port);
  tab.handles.forEach(detach);
  if (forGood) port.close();
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
    if ((!tab.locked || !held) && now - tab.heard > SILENT_TAB_MS) drop(port, false);
  });
}

setInterval(sweep, SWEEP_MS);
