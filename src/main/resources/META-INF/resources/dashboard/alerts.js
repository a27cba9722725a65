// Alerts from GET /alerts/stream: named `alert` events carrying an Alert (rule, severity, wiki,
// summary, eventTime). Rendered as text only: summaries contain titles and user names.
import { openSource } from './shared-source.js';
import { silence } from './silence.js';

const KEEP = 50;
const MAX_BACKOFF_MS = 10000;
const SILENT_HEARTBEATS = 3; // heartbeats missed in a row: the connection is silently dead (a network gone), reopen it
const MIN_SILENCE_MS = 10000; // however short the heartbeats: a busy machine delays messages by seconds

export function watchAlerts(list, empty) {
  let lastId = '';
  let backoff = 1000;
  let current = null;
  // The server's heartbeat interval, from its first heartbeat: until one comes, no watchdog (an older server sent
  // comments, which a page cannot see). Kept across reopens: a stream that sends nothing at all once reopened (the
  // network still gone) is reopened again; during a rolling upgrade, a page that meets an older replica reopens every
  // few heartbeats' time until it meets a newer one.
  let heartbeatMs = 0;
  const quiet = silence();
  // Ids shown lately: a replay after a reconnect may repeat an alert published in the same instant as
  // the last one received (the server errs towards repeating rather than missing one).
  const shown = new Set();
  const open = (fresh) => {
    // A new EventSource sends no Last-Event-ID: the last id goes in the query, so the alerts missed
    // while the stream was closed come first.
    // Shared with the browser's other tabs: they received the same alerts, so they reopen with the same id. Fresh when
    // this one found it silent.
    const source = openSource(lastId ? `/alerts/stream?lastEventId=${encodeURIComponent(lastId)}` : '/alerts/stream',
      ['position', 'alert', 'heartbeat'], { fresh });
    current = source;
    source.addEventListener('open', () => quiet.heard());
    source.addEventListener('heartbeat', (event) => {
      quiet.heard();
      backoff = 1000;
      try { heartbeatMs = Number(JSON.parse(event.data).intervalMs) || heartbeatMs; } catch { /* keep the last one */ }
    });
    // Opened without an id, the stream first says where it starts: resumed from there, a page that has received no
    // alert yet gets those raised while it was away.
    source.addEventListener('position', (event) => {
      quiet.heard();
      // Only for a page that has no id yet: one that has resumes from it (a live stream's position is past what the
      // page may have missed).
      if (event.lastEventId && !lastId) lastId = event.lastEventId;
      list.dataset.resumeFrom = lastId; // where a reopened stream resumes (shown to tests and curious users)
    });
    source.addEventListener('alert', (event) => {
      quiet.heard();
      backoff = 1000;
      if (event.lastEventId) lastId = event.lastEventId;
      list.dataset.resumeFrom = lastId;
      let alert;
      try { alert = JSON.parse(event.data); } catch { return; }
      if (alert.id) {
        if (shown.has(alert.id)) return;
        shown.add(alert.id);
        if (shown.size > 4 * KEEP) shown.delete(shown.values().next().value); // the oldest
      }
      const item = document.createElement('li');
      item.className = `alert severity-${String(alert.severity || '').toLowerCase()}`;
      const when = alert.eventTime ? new Date(alert.eventTime).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '';
      item.textContent = `${when} [${alert.severity || ''}] ${alert.rule || ''}: ${alert.summary || ''}`;
      list.prepend(item);
      while (list.children.length > KEEP) list.lastElementChild.remove();
      empty.hidden = true;
    });
    source.addEventListener('error', () => {
      // A drop reconnects by itself; an error answer (503 at the cap, a proxy during a redeploy) closes
      // the source for good: open a new one after a back-off, as the metrics stream does.
      if (source.readyState !== EventSource.CLOSED) return;
      source.close(); // given up: a shared one is let go of, and reopened below
      if (list.children.length === 0) empty.hidden = false;
      setTimeout(() => open(false), backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    });
  };
  // EventSource waits on a connection that died without a word (TCP's retries: ~15 minutes), and the page showed no
  // alert meanwhile: silent for a few heartbeats, it is reopened from the last id, and what it missed comes first.
  setInterval(() => {
    const silentMs = Math.max(SILENT_HEARTBEATS * heartbeatMs, MIN_SILENCE_MS);
    if (heartbeatMs > 0 && current.readyState === EventSource.OPEN && quiet.longerThan(silentMs)) {
      current.close();
      quiet.heard();
      open(true);
    }
  }, 1000);
  open(false);
}
