// The cache monitoring page: polls /api/cache/stats, draws the last hour, and
// runs Warm and Clear (with a confirmation step) through the JSON endpoints.
'use strict';
(function () {
  let chart = null;
  let timer = null;

  const $ = (id) => document.getElementById(id);
  const set = (id, value) => { $(id).textContent = value; };

  function pct(hits, misses) {
    const n = hits + misses;
    return n ? (Math.round((1000 * hits) / n) / 10).toFixed(1) + '%' : '–';
  }

  function drawHistory(h) {
    const labels = h.hits.map((_, i) => {
      const t = new Date((h.start + i * h.slot_seconds) * 1000);
      return t.toTimeString().slice(0, 5);
    });
    const lookups = h.hits.map((x, i) => x + h.misses[i]);
    const rate = h.hits.map((x, i) => (lookups[i] ? Math.round((1000 * x) / lookups[i]) / 10 : null));
    const data = {
      labels,
      datasets: [
        { type: 'bar', label: 'lookups per 10 s', data: lookups, backgroundColor: '#7aa6c2', yAxisID: 'y' },
        { type: 'line', label: 'hit rate %', data: rate, borderColor: '#2f7d4f', pointRadius: 0, spanGaps: true,
          yAxisID: 'rate' },
      ],
    };
    if (chart) {
      chart.data = data;
      chart.update('none');
      return;
    }
    chart = new Chart($('chart-history'), {
      data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { ticks: { maxTicksLimit: 13 } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'lookups' } },
          rate: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false },
                  title: { display: true, text: 'hit rate %' } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    });
  }

  async function refresh() {
    const r = await rota.api('GET', '/api/cache/stats');
    if (!r.ok) {
      rota.flash('Could not read the statistics: ' + rota.errorText(r), 'error');
      return;
    }
    const s = r.data;
    set('backend', s.backend);
    set('health', s.health || 'ok');
    set('total-keys', s.total_keys);
    set('memory', s.used_memory_human);
    set('hit-rate', s.hits + s.misses ? s.hit_rate.toFixed(1) + '%' : '–');
    set('hits', s.hits);
    set('misses', s.misses);
    set('clients', s.connected_clients === null ? 'n/a' : s.connected_clients);
    set('evictions', s.evictions);
    set('sets', s.sets);
    set('updated', new Date().toLocaleTimeString());
    const body = $('by-prefix').tBodies[0];
    body.replaceChildren(...Object.entries(s.by_prefix).map(([prefix, c]) => {
      const tr = document.createElement('tr');
      for (const v of [prefix, c.hits, c.misses, pct(c.hits, c.misses)]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.appendChild(td);
      }
      return tr;
    }));
    if (typeof Chart !== 'undefined' && s.history) drawHistory(s.history);
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  }

  function schedule() {
    clearInterval(timer);
    if ($('auto').checked) timer = setInterval(refresh, 5000);
  }

  async function warm() {
    const button = $('warm');
    const home = $('warm-home').value;
    button.disabled = true;
    rota.flash('Warming…', 'ok');
    const r = await rota.api('POST', '/cache/warm/', home ? { home_id: Number(home) } : {});
    button.disabled = false;
    if (!r.ok) return rota.flash('Warm failed: ' + rota.errorText(r), 'error');
    rota.flash('Warmed ' + r.data.warmed_keys + ' keys for ' + r.data.homes.length + ' home(s).', 'ok');
    refresh();
  }

  function askClear() {
    const pattern = $('clear-pattern').value.trim();
    if (pattern && !/^[A-Za-z0-9:_.*-]{1,128}$/.test(pattern)) {
      return rota.flash('A pattern is 1 to 128 characters of letters, digits and : _ . * -', 'error');
    }
    set('clear-question', pattern ? 'Delete every cached answer whose key matches “' + pattern + '”?'
                                  : 'Delete every cached answer?');
    $('clear-confirm').hidden = false;
    $('clear-yes').focus();
  }

  async function clear() {
    const pattern = $('clear-pattern').value.trim();
    $('clear-confirm').hidden = true;
    const r = await rota.api('POST', '/cache/clear/', pattern ? { pattern } : {});
    if (!r.ok) return rota.flash('Clear failed: ' + rota.errorText(r), 'error');
    rota.flash('Deleted ' + r.data.deleted + ' cached answers.', 'ok');
    refresh();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('refresh').addEventListener('click', refresh);
    $('auto').addEventListener('change', schedule);
    $('warm').addEventListener('click', warm);
    $('clear').addEventListener('click', askClear);
    $('clear-yes').addEventListener('click', clear);
    $('clear-no').addEventListener('click', () => { $('clear-confirm').hidden = true; });
    refresh();
    schedule();
  });
})();
