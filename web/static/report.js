// The monthly report page: draws the hours of each member of staff as a
// horizontal bar chart (the embedded Chart.js) from the page's JSON block —
// the same numbers as the table under it, which is the chart's text
// alternative. The chart's box grows with the number of staff (set through
// the CSSOM, which the Content-Security-Policy allows, unlike style="").
'use strict';
(function () {
  const HOURS = '#245b8f';

  document.addEventListener('DOMContentLoaded', () => {
    const block = document.getElementById('report-chart-data');
    const canvas = document.getElementById('chart-hours');
    if (!block || !canvas || typeof Chart === 'undefined') return;
    const data = JSON.parse(block.textContent);
    document.getElementById('hours-chart-box').style.height = (data.labels.length * 22 + 60) + 'px';
    new Chart(canvas, {
      type: 'bar',
      data: { labels: data.labels, datasets: [{ label: 'hours', data: data.hours, backgroundColor: HOURS }] },
      options: {
        indexAxis: 'y',
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        scales: { x: { beginAtZero: true } },
        plugins: { legend: { display: false } },
      },
    });
    document.body.dataset.chart = 'drawn';
  });
})();
