// The two per-minute charts of the last hour, updated in place (no re-creation per snapshot).
const TYPES = ['edit', 'new', 'log', 'categorize', 'external'];
const COLORS = { edit: '#3366cc', new: '#109618', log: '#ff9900', categorize: '#990099', external: '#777777' };

function stackedChart(canvasId, series) {
  return new Chart(document.getElementById(canvasId), {
    type: 'line',
    data: {
      labels: [],
      datasets: series.map(([label, color]) => ({
        label, data: [], borderColor: color, backgroundColor: `${color}99`, fill: true, pointRadius: 2, tension: 0.2,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: { y: { stacked: true, beginAtZero: true, title: { display: true, text: 'changes / min' } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}

export function createCharts() {
  const types = stackedChart('types-chart', TYPES.map((t) => [t, COLORS[t]]));
  const bots = stackedChart('bots-chart', [['humans', '#2a9d8f'], ['bots', '#e76f51']]);
  let drawn = '';

  return {
    /** history: minutes with changes, oldest first; the hour is [from, newest], one label per window. */
    update(dashboard, windowMs) {
      const signature = JSON.stringify([dashboard.historyFrom, dashboard.newestWindow, dashboard.history]);
      if (signature === drawn) return;
      drawn = signature;
      const byStart = new Map(dashboard.history.map((m) => [Date.parse(m.start), m]));
      const labels = [];
      const minutes = [];
      for (let t = Date.parse(dashboard.historyFrom); t <= Date.parse(dashboard.newestWindow); t += windowMs) {
        labels.push(new Date(t).toISOString().slice(11, 16));
        minutes.push(byStart.get(t));
      }
      types.data.labels = labels;
      TYPES.forEach((type, i) => { types.data.datasets[i].data = minutes.map((m) => (m ? m.byType[type] ?? 0 : 0)); });
      bots.data.labels = labels;
      bots.data.datasets[0].data = minutes.map((m) => (m ? m.changes - m.botChanges : 0));
      bots.data.datasets[1].data = minutes.map((m) => (m ? m.botChanges : 0));
      types.update('none');
      bots.update('none');
    },
    /** Empty charts, until the next filter's first snapshot with changes. */
    clear() {
      drawn = '';
      for (const chart of [types, bots]) {
        chart.data.labels = [];
        chart.data.datasets.forEach((set) => { set.data = []; });
        chart.update('none');
      }
    },
  };
}
