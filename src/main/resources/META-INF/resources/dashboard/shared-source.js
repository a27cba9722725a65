// EventSource look-alikes whose connections all the dashboard's tabs in a browser share, through stream-worker.js:
// with two streams per tab, a fourth tab used to wait for one of the browser's six connections to Pulse. Where a
// browser has no shared workers, or cannot start one, each is a plain EventSource of its own.
const WORKER = '/dashboard/stream-worker.js';
const WORKER_NAME = 'pulse-streams-1'; // a new name with a new message format: an older worker keeps its old tabs

let port;
let nextId = 1;
const handles = new Map();

function workerPort() {
  if (port !== undefined) return port;
  port = null;
  if (typeof SharedWorker !== 'function') return port;
  try {
    const worker = new SharedWorker(WORKER, { name: WORKER_NAME });
    worker.port.onmessage = (message) => handles.get(message.data.id)?.deliver(message.data);
    worker.port.start();
    port = worker.port;
  } catch {
    return port; // null: plain EventSources
  }
  // The worker frees this tab's streams when it goes: told on the way out, or, when the tab dies without a word,
  // by the lock it held (released with the tab), else by its pings stopping.
  const lock = `pulse-tab-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  port.postMessage({ op: 'hello', lock });
  let release = () => { };
  navigator.locks?.request(lock, () => {
    port.postMessage({ op: 'locked' });
    return new Promise((resolve) => { release = resolve; }); // held until the tab goes
  });
  setInterval(() => port.postMessage({ op: 'ping' }), 10000);
  // A page kept in the back-forward cache does not always get its goodbye through: its lock, let go of here, tells.
  window.addEventListener('pagehide', () => {
    port.postMessage({ op: 'bye' });
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
      shared.postMessage({ op: 'close', id });
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
