// One live subscription to /metrics/stream. EventSource reconnects by itself after the server's
// `retry:` when a connection drops; when it gives up (an HTTP error such as 503), we reopen it.
const MAX_BACKOFF_MS = 10000;
const STALE_MS = 15000; // no snapshot for this long: the connection is silently dead, reopen it
// Timed by the monotonic clock: the wall clock stepped back an hour (NTP, by hand) hid a dead stream for the hour.

export function subscribe(url, { onSnapshot, onState }) {
  let source = null;
  let backoff = 1000;
  let retryTimer = null;
  let lastSeen = performance.now();

  const open = () => {
    source = new EventSource(url);
    // Open is not live: the server sends its headers before any snapshot, and a stream whose snapshots
    // fail (the database away) stays open and silent. Only a snapshot reads as live; the watchdog's
    // clock starts at the open, so a slow first snapshot after an outage gets its full STALE_MS.
    source.addEventListener('open', () => { lastSeen = performance.now(); });
    source.addEventListener('snapshot', (event) => {
      lastSeen = performance.now();
      backoff = 1000;
      onState('live');
      onSnapshot(JSON.parse(event.data));
    });
    source.addEventListener('error', () => {
      onState('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        retryTimer = setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    });
  };
  const watchdog = setInterval(() => {
    if (source && source.readyState === EventSource.OPEN && performance.now() - lastSeen > STALE_MS) {
      source.close();
      onState('reconnecting');
      lastSeen = performance.now();
      open();
    }
  }, 1000);

  open();
  return {
    close() {
      clearTimeout(retryTimer);
      clearInterval(watchdog);
      source.close();
    },
  };
}
