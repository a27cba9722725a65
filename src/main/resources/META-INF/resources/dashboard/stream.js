// One live subscription to /metrics/stream. EventSource reconnects by itself after the server's
// `retry:` when a connection drops; when it gives up (an HTTP error such as 503), we reopen it.
import { openSource } from './shared-source.js';
import { silence } from './silence.js';

const MAX_BACKOFF_MS = 10000;
const STALE_MS = 15000; // no snapshot for this long: the connection is silently dead, reopen it

export function subscribe(url, { onSnapshot, onState }) {
  let source = null;
  let backoff = 1000;
  let retryTimer = null;
  const quiet = silence();

  const open = (fresh) => {
    // Shared with the browser's other tabs on this URL; fresh when this one found it silent.
    source = openSource(url, ['snapshot'], { fresh });
    // Open is not live: the server sends its headers before any snapshot, and a stream whose snapshots
    // fail (the database away) stays open and silent. Only a snapshot reads as live; the watchdog's
    // clock starts at the open, so a slow first snapshot after an outage gets its full STALE_MS.
    source.addEventListener('open', () => quiet.heard());
    source.addEventListener('snapshot', (event) => {
      quiet.heard();
      backoff = 1000;
      onState('live');
      onSnapshot(JSON.parse(event.data));
    });
    source.addEventListener('error', () => {
      onState('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        source.close(); // given up: a shared one is let go of, and reopened below
        retryTimer = setTimeout(() => open(false), backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    });
  };
  const watchdog = setInterval(() => {
    if (source && source.readyState === EventSource.OPEN && quiet.longerThan(STALE_MS)) {
      source.close();
      onState('reconnecting');
      quiet.heard();
      open(true);
    }
  }, 1000);

  open(false);
  return {
    close() {
      clearTimeout(retryTimer);
      clearInterval(watchdog);
      source.close();
    },
  };
}
