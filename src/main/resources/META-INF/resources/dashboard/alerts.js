// Alerts from GET /alerts/stream (named `alert` events) when the service has it; otherwise "No alerts".
const KEEP = 50;

export function watchAlerts(list, empty) {
  const source = new EventSource('/alerts/stream');
  source.addEventListener('alert', (event) => {
    let alert;
    try { alert = JSON.parse(event.data); } catch { alert = { message: event.data }; }
    const item = document.createElement('li');
    const when = alert.at || alert.time || alert.firedAt || '';
    const what = alert.message || alert.summary || alert.title || alert.rule || event.data;
    item.textContent = when ? `${when} ${what}` : String(what);
    list.prepend(item);
    while (list.children.length > KEEP) list.lastElementChild.remove();
    empty.hidden = true;
  });
  source.addEventListener('error', () => {
    // 404 (no alerts stream in this version) closes the source for good; a drop reconnects by itself.
    if (source.readyState === EventSource.CLOSED && list.children.length === 0) empty.hidden = false;
  });
}
