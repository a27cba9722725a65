// EventSource look-alikes whose connections all the dashboard's tabs in a browser share, through stream-worker.js:
// with two streams per tab, a fourth tab used to wait for one of the browser's six connections to Pulse. Where a
// browser has no shared workers, or cannot start one, each is a plain EventSource of its own.
const WORKER = '/dashboard/stream-worker.js';
const PROTOCOL = 3; // the messages below; stream-worker.js answers with its own (1 had no welcome; 2 replayed heartbeats)
const WORKER_NAME = `pulse-streams-${PROTOCOL}`;
const WELCOME_MS = 10000;

let port; // undefined: not tried yet; null: plain EventSources
let nextId = 1;
const handles = new Map();

function workerPort() {
  if (port !== undefined) return port;
  port = null;
  if (typeof SharedWorker !== 'function') return port;
  let worker;
  try {
    worker = new SharedWorker(WORKER, { name: WORKER_NAME });
  } catch {
    return port;
  }
  const shared = worker.port;
  // A worker that cannot start (its script refused, or throwing) never answers: the streams fall back to plain
  // EventSources instead of waiting for good, and so does a page newer than the worker still running for older tabs.
  let welcomed = false;
  const fallBack = () => {
    if (port !== shared) return;
    port = null;
    shared.postMessage({ op: 'bye' });
    [...handles.values()].forEach((handle) => handle.deliver({ type: 'error', readyState: EventSource.CLOSED }));
  };
  worker.addEventListener('error', fallBack);
  setTimeout(() => { if (!welcomed) fallBack(); }, WELCOME_MS);
  let pings = 0;
  let pongs = 0;
  shared.onmessage = ({ data }) => {
    if (data.op === 'welcome') {
      welcomed = true;
      if (data.protocol !== PROTOCOL) fallBack();
    } else if (data.op === 'pong') {
      pongs = Math.max(pongs, data.seq);
      // Streams the worker no longer holds for this tab (it let the tab go while it was silent): ended, to be reopened.
      data.unknown.forEach((id) => handles.get(id)?.deliver({ type: 'error', readyState: EventSource.CLOSED }));
    } else {
      handles.get(data.id)?.deliver(data);
    }
  };
  shared.start();
  port = shared;
  // The worker frees this tab's streams when it goes: told on the way out, or, when the tab dies without a word,
  // by the lock it held (released with the tab), else by its pings stopping.
  const lock = `pulse-tab-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  shared.postMessage({ op: 'hello', lock });
  let release = () => { };
  let locked = false;
  navigator.locks?.request(lock, () => {
    locked = true;
    shared.postMessage({ op: 'locked' });
    return new Promise((resolve) => { release = resolve; }); // held until the tab goes
  });
  // Each ping names this tab's streams; a worker that has not answered the previous one is gone (crashed): fall back.
  setInterval(() => {
    if (port !== shared) return;
    if (welcomed && pongs < pings) {
      fallBack();
      return;
    }
    pings += 1;
    shared.postMessage({ op: 'ping', seq: pings, ids: [...handles.keys()], lock, locked });
  }, 10000);
  window.addEventListener('pagehide', () => {
    shared.postMessage({ op: 'bye' });
    release();
  });
  // Back from the back-forward cache, its streams were given up on the way out: start the page again.
  window.addEventListener('pageshow', (event) => { if (event.persisted) window.location.reload(); });
  return port;
}

/**
 * A stream of the named {@code events} (besides open and error) from {@code url}. {@code fresh}: a new connection
 * even if other tabs read this URL now (a watchdog that found it silent); else the tab joins theirs.
 */
export function openSource(url, events, { fresh = false } = {}) {
  const shared = workerPort();
  if (!shared) return new EventSource(url);
  const id = nextId++;
  const listeners = new Map();
  const handle = {
    url,
    readyState: EventSource.CONNECTING,
    addEventListener(type, listener) {
      if (!listeners.has(type)) listeners.set(type, []);
      listeners.get(type).push(listener);
    },
    close() {
      if (!handles.delete(id)) return;
      handle.readyState = EventSource.CLOSED;
      if (port === shared) shared.postMessage({ op: 'close', id });
    },
    deliver({ type, data, lastEventId, readyState }) {
      handle.readyState = readyState;
      const event = new MessageEvent(type, { data, lastEventId: lastEventId || '' });
      (listeners.get(type) || []).forEach((listener) => listener(event));
    },
  };
  handles.set(id, handle);
  shared.postMessage({ op: 'open', id, url, events, fresh });
  return handle;
}
