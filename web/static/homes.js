// The /homes/ page: an administrator sorts the table of homes by coverage or
// by vacancies. Each sortable column header holds a button (reachable by Tab,
// pressed with Enter or Space); pressing it sorts by that column — the first
// press in the order that puts the worst homes on top (coverage ascending,
// vacancies descending), the next press reverses it — and moves aria-sort to
// that header, so a screen reader announces the order. Ties keep home id order.
'use strict';
(function () {
  // The first order for each key: the worst homes on top.
  const WORST_FIRST = { coverage: 'ascending', vacant: 'descending' };

  function sortBy(table, key) {
    const th = table.querySelector(`th[data-sort-key="${key}"]`);
    const current = th.getAttribute('aria-sort');
    const direction = current ? (current === 'ascending' ? 'descending' : 'ascending') : WORST_FIRST[key];
    const sign = direction === 'ascending' ? 1 : -1;
    const body = table.tBodies[0];
    const rows = Array.from(body.querySelectorAll('tr[data-home-row]'));
    rows.sort((a, b) => sign * (Number(a.dataset[key]) - Number(b.dataset[key])) ||
                        Number(a.dataset.homeRow) - Number(b.dataset.homeRow));
    rows.forEach((r) => body.appendChild(r));
    table.querySelectorAll('th[aria-sort]').forEach((h) => h.removeAttribute('aria-sort'));
    th.setAttribute('aria-sort', direction);
    document.body.dataset.sorted = key + ' ' + direction;
  }

  document.addEventListener('DOMContentLoaded', () => {
    const table = document.getElementById('homes');
    if (!table) return;
    table.querySelectorAll('button[data-sort]').forEach((b) => {
      b.addEventListener('click', () => sortBy(table, b.dataset.sort));
    });
  });
})();
