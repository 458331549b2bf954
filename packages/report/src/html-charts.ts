/**
 * The browser side of the HTML report: draws each function's three charts with uPlot from the
 * report's own JSON (embedded in the page), and records what it drew in `window.__charts` so a
 * test (and a curious reader) can check the points. Plain ES2020, no modules: it runs from a
 * file:// page with nothing else loaded.
 */
export const CHARTS_SCRIPT = `
(function () {
  var report = JSON.parse(document.getElementById('report-data').textContent)
  var drawn = (window.__charts = [])
  var palette = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5', '#9c6b4e', '#9498a0']
  var outcomeColour = { success: '#3ca951', error: '#ff725c', gracefulTimeout: '#efb118', hardKill: '#d62728', unknown: '#9498a0' }
  var width = function (el) { return Math.max(320, Math.min(960, el.clientWidth || 900)) }

  function remember(id, kind, u) {
    drawn.push({ id: id, kind: kind, points: u.data[0].length, series: u.series.length - 1 })
  }

  function shareChart(el, fn) {
    var hist = fn.charts.timeoutShare
    if (!hist) { el.textContent = 'No timeout known: no share chart.'; return }
    var xs = hist.counts.map(function (_, i) { return Math.round(i * hist.binWidth * 100) })
    var u = new uPlot({
      width: width(el), height: 220, title: 'Invocations by share of the timeout used (%)',
      scales: { x: { time: false, range: [-5, 105] } },
      axes: [{ label: '% of timeout (bin start; last bin: 100 % and over)' }, { label: 'invocations' }],
      series: [{ label: '% used' }, { label: 'invocations', fill: '#4269d0aa', stroke: '#4269d0', paths: uPlot.paths.bars({ size: [0.8, 40] }), points: { show: false } }],
    }, [xs, hist.counts], el)
    remember(el.id, 'timeout-share', u)
  }

  function durationChart(el, fn) {
    var series = fn.charts.durations
    var time = series.axis === 'time'
    var toX = function (x) { return time ? x / 1000 : x }
    var timeout = fn.timeout.ms
    var xs, ys, killed, limit, labels
    if (series.points) {
      xs = series.points.map(function (p) { return toX(p.x) })
      ys = series.points.map(function (p) { return p.durationMs })
      killed = series.points.map(function (p) { return p.outcome === 'gracefulTimeout' || p.outcome === 'hardKill' ? p.durationMs : null })
      labels = ['duration (ms)', 'timed out']
    } else {
      xs = series.buckets.map(function (b) { return toX(b.x) })
      ys = series.buckets.map(function (b) { return b.maxMs })
      killed = series.buckets.map(function (b) { return b.timeouts > 0 ? b.maxMs : null })
      labels = ['max duration per slice (ms)', 'slice with timeouts']
    }
    limit = xs.map(function () { return timeout })
    var dots = function (colour, size) { return { show: true, size: size, stroke: colour, fill: colour } }
    var u = new uPlot({
      width: width(el), height: 260, title: 'Durations over ' + (time ? 'time' : 'input order') + (timeout ? ', timeout marked' : ''),
      scales: {
        // One invocation, or all at one instant: give the axis some width around it.
        x: { time: time, range: function (_, min, max) { var pad = min === max ? (time ? 60 : 1) : 0; return [min - pad, max + pad] } },
        y: { range: function (_, min, max) { return [0, Math.max(max, timeout || 0) * 1.08] } },
      },
      axes: [{ label: time ? '' : 'invocation #' }, { label: 'ms' }],
      series: [
        { label: time ? 'time' : '#' },
        { label: labels[0], stroke: '#4269d0', paths: function () { return null }, points: dots('#4269d0', 5) },
        { label: labels[1], stroke: outcomeColour.hardKill, paths: function () { return null }, points: dots(outcomeColour.hardKill, 9) },
        { label: 'timeout', stroke: '#d62728', dash: [6, 4], points: { show: false } },
      ],
    }, [xs, ys, killed, limit], el)
    remember(el.id, 'durations', u)
  }

  function phaseChart(el, fn) {
    var slowest = fn.charts.slowest
    if (slowest.length === 0) { el.textContent = 'No timing records: no phases to show.'; return }
    var totals = {}
    slowest.forEach(function (inv) { inv.phases.forEach(function (p) { totals[p.name] = (totals[p.name] || 0) + p.durationMs }) })
    var names = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a] })
    var shown = names.slice(0, 8)
    if (names.length > 8) shown.push('(other)')
    var raw = shown.map(function (name) {
      return slowest.map(function (inv) {
        return inv.phases.reduce(function (sum, p) {
          var bucket = shown.indexOf(p.name) >= 0 ? p.name : '(other)'
          return bucket === name ? sum + p.durationMs : sum
        }, 0)
      })
    })
    // Stacked bars: series k is drawn as the sum of phases k..end, tallest first, so each bar's
    // visible band is its own phase; the legend shows the phase's own time.
    var stacked = raw.map(function (_, k) {
      return slowest.map(function (__, i) { var s = 0; for (var j = k; j < raw.length; j++) s += raw[j][i]; return s })
    })
    var xs = slowest.map(function (_, i) { return i + 1 })
    var u = new uPlot({
      width: width(el), height: 260, title: 'Phases of the ' + slowest.length + ' slowest invocations (ms)',
      scales: { x: { time: false, range: [0.3, slowest.length + 0.7] } },
      axes: [{ label: 'slowest first', values: function (_, ticks) { return ticks.map(function (t) { return Number.isInteger(t) ? '#' + t : '' }) } }, { label: 'ms' }],
      series: [{ label: 'invocation' }].concat(shown.map(function (name, k) {
        return {
          label: name, fill: palette[k % palette.length], stroke: palette[k % palette.length],
          paths: uPlot.paths.bars({ size: [0.7, 60] }), points: { show: false },
          value: function (_, __, ___, i) { return i == null ? '' : raw[k][i].toFixed(1) },
        }
      })),
    }, [xs].concat(stacked), el)
    remember(el.id, 'phases', u)
  }

  report.functions.forEach(function (fn, index) {
    shareChart(document.getElementById('share-' + index), fn)
    durationChart(document.getElementById('durations-' + index), fn)
    phaseChart(document.getElementById('phases-' + index), fn)
  })
  document.body.setAttribute('data-charts', String(drawn.length))
})()
`
