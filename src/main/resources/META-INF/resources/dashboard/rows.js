// Tables updated in place: one <tr> per key, kept across snapshots; only changed cells are written,
// and always as text (stream strings are untrusted).

/** cells(item, index) returns one value per column: a string/number, or {text, href, badge}. */
export function updateRows(tbody, items, key, cells) {
  const existing = new Map();
  for (const row of tbody.rows) existing.set(row.dataset.key, row);
  items.forEach((item, index) => {
    const k = key(item);
    let row = existing.get(k);
    const values = cells(item, index);
    if (!row) {
      row = document.createElement('tr');
      row.dataset.key = k;
      values.forEach(() => row.appendChild(document.createElement('td')));
    }
    existing.delete(k);
    values.forEach((value, column) => setCell(row.cells[column], value));
    if (tbody.rows[index] !== row) tbody.insertBefore(row, tbody.rows[index] || null);
  });
  existing.forEach((row) => row.remove());
}

function setCell(td, value) {
  const v = value !== null && typeof value === 'object' ? value : { text: String(value ?? '') };
  const signature = `${v.text}\u0000${v.href ?? ''}\u0000${v.badge ?? ''}\u0000${v.className ?? ''}`;
  if (td.dataset.v === signature) return;
  td.dataset.v = signature;
  td.className = v.className ?? '';
  td.replaceChildren();
  if (v.href && /^https:\/\//.test(v.href)) {
    const a = document.createElement('a');
    a.href = v.href;
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
    a.textContent = v.text;
    td.appendChild(a);
  } else {
    td.appendChild(document.createTextNode(v.text));
  }
  if (v.badge) {
    const badge = document.createElement('span');
    badge.className = 'bot';
    badge.textContent = v.badge;
    td.appendChild(badge);
  }
}
