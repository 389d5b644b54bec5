// The home dashboard page: draws the coverage charts from the panel's JSON
// block, and runs the panel's actions (assign a vacant shift, approve or reject
// leave) through the JSON API. After each write it fetches the panel again —
// the server has already invalidated it with the data — and swaps it in, so
// every figure on the page is the database's current answer.
'use strict';
(function () {
  const STAFFED = '#2f7d4f';
  const VACANT = '#d9534f';
  let charts = [];

  function stackedBar(canvas, rows, horizontal) {
    return new Chart(canvas, {
      type: 'bar',
      data: {
        labels: rows.map((r) => r.label),
        datasets: [
          { label: 'staffed', data: rows.map((r) => r.staffed), backgroundColor: STAFFED },
          { label: 'vacant', data: rows.map((r) => r.vacant), backgroundColor: VACANT },
        ],
      },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
  }

  function drawCharts() {
    charts.forEach((c) => c.destroy());
    charts = [];
    const block = document.getElementById('chart-data');
    if (!block || typeof Chart === 'undefined') return;
    const data = JSON.parse(block.textContent);
    charts.push(stackedBar(document.getElementById('chart-by-day'), data.by_day, false));
    charts.push(stackedBar(document.getElementById('chart-by-unit'), data.by_unit, true));
  }

  async function refresh() {
    const holder = document.getElementById('panel');
    const res = await fetch(holder.dataset.panelUrl, { credentials: 'same-origin' });
    if (!res.ok) {
      rota.flash('Could not reload the figures (HTTP ' + res.status + '): reload the page.', 'error');
      return;
    }
    holder.innerHTML = await res.text();
    drawCharts();
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  }

  async function act(button, method, url, body, done) {
    button.disabled = true;
    const r = await rota.api(method, url, body);
    if (r.ok) {
      await refresh();
      rota.flash(done(r.data), 'ok');
    } else {
      button.disabled = false;
      rota.flash(rota.errorText(r), 'error');
    }
  }

  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    if (button.dataset.action === 'assign') {
      const select = button.parentElement.querySelector('select');
      const name = select.options[select.selectedIndex].text;
      act(button, 'PATCH', '/api/shifts/' + button.dataset.shift, { staff_id: Number(select.value) },
        (shift) => name + ' now works ' + shift.shift_type.name + ' on ' + shift.date + ' in ' + shift.unit.name + '.');
    } else if (button.dataset.action === 'leave') {
      const status = button.dataset.status;
      act(button, 'PATCH', '/api/leave-requests/' + button.dataset.leave, { status },
        (leave) => 'Leave ' + leave.start_date + ' – ' + leave.end_date + ' ' + status + '.');
    }
  });

  document.addEventListener('DOMContentLoaded', drawCharts);
})();
