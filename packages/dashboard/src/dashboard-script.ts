/**
 * The page's script, inlined by `dashboardPage`. Plain browser JavaScript (no build step, no library): it polls
 * `status` every second, listens to `events`, and draws the tables, countdowns, charts, alerts and history with DOM
 * calls only (`textContent`, never HTML from data).
 */
export const DASHBOARD_SCRIPT = `
(function () {
  'use strict';
  var base = location.pathname.endsWith('/') ? location.pathname : location.pathname.replace(/[^/]*$/, '');
  var token = new URLSearchParams(location.search).get('token');
  var query = token ? '?token=' + encodeURIComponent(token) : '';
  var doc = null;
  var skew = 0;
  var pollTimer = null;
  var eventLines = [];
  var CHARTS = [
    ['calls', 'calls'],
    ['rateLimits', '429s'],
    ['errors', 'errors'],
    ['latencyP95Ms', 'p95 latency (ms)'],
  ];
  var PALETTE = ['#4f9dff', '#f5a524', '#17c964', '#f31260', '#9353d3', '#06b7db', '#ff7eb6', '#c4a000'];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) for (var name in attrs) if (attrs[name] !== undefined) node.setAttribute(name, attrs[name]);
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var name in attrs) node.setAttribute(name, attrs[name]);
    return node;
  }
  function duration(ms) {
    if (ms < 1000) return Math.max(0, Math.round(ms)) + 'ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + 's';
    if (ms < 3600000) return Math.floor(ms / 60000) + 'm' + String(Math.floor((ms % 60000) / 1000)).padStart(2, '0') + 's';
    return Math.floor(ms / 3600000) + 'h' + String(Math.floor((ms % 3600000) / 60000)).padStart(2, '0') + 'm';
  }
  function clock(at) {
    return new Date(at).toTimeString().slice(0, 8);
  }
  function serverNow() {
    return Date.now() + skew;
  }
  function failures(counts) {
    return Object.keys(counts).map(function (category) { return category + ' ' + counts[category]; }).join(', ') || '-';
  }
  function replace(id, children) {
    var node = document.getElementById(id);
    node.replaceChildren.apply(node, children);
  }

  function renderAlerts() {
    var items = doc.alerts.map(function (alert) {
      return el('li', { class: 'alert', 'data-rule': alert.rule, 'data-id': alert.id }, [
        el('strong', null, [alert.rule.replace(/_/g, ' ')]), ' ', alert.message, ' ',
        el('span', { class: 'dim' }, ['since ' + clock(alert.since)]),
      ]);
    });
    if (items.length === 0) items.push(el('li', { class: 'ok' }, ['no active alerts']));
    replace('alerts', items);
    document.getElementById('alert-count').textContent = String(doc.alerts.length);
    var resolved = doc.alertLog.filter(function (entry) { return entry.state === 'resolved'; }).slice(0, 5);
    replace('resolved', resolved.map(function (entry) {
      return el('li', { class: 'dim' }, [clock(entry.resolvedAt) + ' resolved: ' + entry.message]);
    }));
  }

  function renderPools() {
    var sections = doc.pools.map(function (pool) {
      var rows = pool.keys.map(function (key) {
        var failuresText = failures(key.counts.failures);
        return el('tr', { 'data-key': key.id, 'data-status': key.status }, [
          el('td', null, [key.id]),
          el('td', { class: 'mono dim' }, [key.masked]),
          el('td', null, [el('span', { class: 'badge ' + key.status }, [key.status.replace('_', '-')])]),
          el('td', { class: 'countdown mono', 'data-until': key.cooldownUntil || key.blockedUntil || '' }, ['']),
          el('td', { class: 'num' }, [String(key.inFlight)]),
          el('td', { class: 'num' }, [String(key.counts.requests)]),
          el('td', { class: 'num' }, [String(key.counts.successes)]),
          el('td', { class: 'dim' }, [failuresText]),
          el('td', { class: 'num' }, [key.latencyEwmaMs === undefined ? '-' : duration(key.latencyEwmaMs)]),
          el('td', { class: 'reason' }, [key.reason || '']),
        ]);
      });
      var head = el('tr', null, ['key', 'masked', 'status', 'cooldown', 'busy', 'calls', 'ok', 'failures', 'latency', 'reason'].map(function (name) {
        return el('th', null, [name]);
      }));
      return el('section', { class: 'pool', 'data-pool': pool.name }, [
        el('h3', null, [pool.name, ' ', el('span', { class: 'dim' }, [pool.usable + ' of ' + pool.keys.length + ' keys usable'])]),
        el('table', null, [el('thead', null, [head]), el('tbody', null, rows)]),
      ]);
    });
    replace('pools', sections);
    var chains = doc.chains.map(function (chain) {
      return el('div', { class: 'chain', 'data-chain': chain.name }, [el('strong', null, [chain.name + ': '])].concat(
        chain.steps.map(function (step, index) {
          return el('span', { class: 'step breaker-' + step.breaker }, [
            (index > 0 ? ' → ' : '') + step.name + (step.breaker === 'open' ? ' (breaker open ' + duration(step.breakerRemainingMs || 0) + ')' : ''),
          ]);
        }),
      ));
    });
    replace('chains', chains);
    tick();
  }

  function tick() {
    var cells = document.querySelectorAll('td.countdown');
    for (var index = 0; index < cells.length; index++) {
      var until = Number(cells[index].getAttribute('data-until'));
      cells[index].textContent = until && until > serverNow() ? duration(until - serverNow()) : '';
    }
  }

  function renderCharts() {
    var names = Object.keys(doc.series.pools);
    var nodes = CHARTS.map(function (chart) {
      var field = chart[0];
      var max = 1;
      var total = 0;
      names.forEach(function (name) {
        doc.series.pools[name][field].forEach(function (value) {
          if (value > max) max = value;
          if (field !== 'latencyP95Ms') total += value;
        });
      });
      var width = 320, height = 90;
      var box = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, 'data-chart': field, 'data-max': String(max), 'data-total': String(total), role: 'img' });
      box.appendChild(svg('line', { x1: '0', y1: String(height - 0.5), x2: String(width), y2: String(height - 0.5), class: 'axis' }));
      names.forEach(function (name, index) {
        var values = doc.series.pools[name][field];
        var points = values.map(function (value, position) {
          var x = (position / Math.max(1, values.length - 1)) * width;
          var y = height - 2 - (value / max) * (height - 6);
          return x.toFixed(1) + ',' + y.toFixed(1);
        }).join(' ');
        box.appendChild(svg('polyline', { points: points, 'data-pool': name, fill: 'none', stroke: PALETTE[index % PALETTE.length], 'stroke-width': '1.5' }));
      });
      return el('figure', { class: 'chart' }, [
        el('figcaption', null, [chart[1] + ' ', el('span', { class: 'dim chart-total' }, [field === 'latencyP95Ms' ? 'max ' + max + ' ms' : total + ' in ' + duration(doc.series.bucketMs * doc.series.starts.length)])]),
        box,
      ]);
    });
    var legend = names.map(function (name, index) {
      return el('span', { class: 'legend' }, [el('i', { style: 'background:' + PALETTE[index % PALETTE.length] }), name]);
    });
    replace('charts', nodes);
    replace('legend', legend);
  }

  function renderHistory() {
    var rows = [];
    doc.pools.forEach(function (pool) {
      pool.keys.forEach(function (key) {
        key.history.forEach(function (failure) { rows.push({ pool: pool.name, key: key.id, failure: failure }); });
      });
    });
    rows.sort(function (a, b) { return b.failure.at - a.failure.at; });
    replace('history', rows.slice(0, 50).map(function (row) {
      var failure = row.failure;
      return el('tr', { 'data-key': row.key }, [
        el('td', { class: 'mono dim' }, [clock(failure.at)]),
        el('td', null, [row.pool]),
        el('td', null, [row.key]),
        el('td', null, [el('span', { class: 'category' }, [failure.category])]),
        el('td', { class: 'num' }, [failure.status === undefined ? '' : String(failure.status)]),
        el('td', { class: 'dim' }, [failure.code || '']),
        el('td', { class: 'reason' }, [failure.message]),
      ]);
    }));
  }

  function render() {
    document.getElementById('updated').textContent = 'updated ' + clock(doc.now);
    renderAlerts();
    renderPools();
    renderCharts();
    renderHistory();
    document.body.setAttribute('data-ready', 'true');
  }

  function poll() {
    clearTimeout(pollTimer);
    fetch(base + 'status' + query, { cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) throw new Error('status ' + response.status);
        return response.json();
      })
      .then(function (next) {
        doc = next;
        skew = doc.now - Date.now();
        render();
        document.getElementById('connection').textContent = 'connected';
        document.getElementById('connection').className = 'ok';
      })
      .catch(function (error) {
        document.getElementById('connection').textContent = 'cannot reach the server (' + error.message + ')';
        document.getElementById('connection').className = 'bad';
      })
      .finally(function () { pollTimer = setTimeout(poll, 1000); });
  }

  function describe(event) {
    var who = event.keyId ? (event.name || '') + ' ' + event.keyId : event.name || '';
    var what = event.category || event.reason || event.message || '';
    return clock(event.at) + '  ' + event.type + '  ' + who + (what ? '  ' + what : '');
  }

  var soon = null;
  var source = new EventSource(base + 'events' + query);
  source.onmessage = function (message) {
    var event = JSON.parse(message.data);
    if (event.type === 'key.selected') return;
    eventLines.unshift(describe(event));
    eventLines.length = Math.min(eventLines.length, 30);
    replace('events', eventLines.map(function (line) { return el('li', { class: 'mono' }, [line]); }));
    if (!soon && event.type !== 'request.success')
      soon = setTimeout(function () { soon = null; poll(); }, 150);
  };
  source.onopen = function () { document.getElementById('live').textContent = 'live events on'; };
  source.onerror = function () { document.getElementById('live').textContent = 'live events reconnecting'; };

  setInterval(tick, 200);
  poll();
})();
`;
