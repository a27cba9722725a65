// Alerts from GET /alerts/stream: named `alert` events carrying an Alert (rule, severity, wiki,
// summary, eventTime). Rendered as text only: summaries contain titles and user names.
const KEEP = 50;

export function watchAlerts(list, empty) {
  const source = new EventSource('/alerts/stream');
  source.addEventListener('alert', (event) => {
    let alert;
    try { alert = JSON.parse(event.data); } catch { return; }
    const item = document.createElement('li');
    item.className = `alert severity-${String(alert.severity || '').toLowerCase()}`;
    const when = alert.eventTime ? new Date(alert.eventTime).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '';
    item.textContent = `${when} [${alert.severity || ''}] ${alert.rule || ''}: ${alert.summary || ''}`;
    list.prepend(item);
    while (list.children.length > KEEP) list.lastElementChild.remove();
    empty.hidden = true;
  });
  source.addEventListener('error', () => {
    // A drop reconnects by itself; an error answer (503 at the cap) closes the source for good.
    if (source.readyState === EventSource.CLOSED && list.children.length === 0) empty.hidden = false;
  });
}
