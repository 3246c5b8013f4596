'use strict';
// Every value from the server goes into the page as text (textContent), never as markup.

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function showError(text) {
  const m = document.getElementById('message');
  m.textContent = text;
  m.hidden = false;
}

async function getJson(path) {
  const r = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (r.status === 401) {
    location.assign('/ui/login.html');
    throw new Error('not logged in');
  }
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.detail || ('HTTP ' + r.status));
  return body;
}

function shortTime(t) {
  return t ? t.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '';
}

function addDl(dl, name, value) {
  dl.appendChild(el('dt', name));
  dl.appendChild(el('dd', value === null || value === undefined ? '-' : value));
}

function live(onDeployment, onOpen, onRollout) {
  const badge = document.getElementById('live');
  const source = new EventSource('/ui/events');
  source.addEventListener('open', () => {
    badge.textContent = 'live';
    badge.className = 'live on';
    if (onOpen) onOpen();
  });
  source.addEventListener('error', () => {
    badge.textContent = 'reconnecting';
    badge.className = 'live';
  });
  source.addEventListener('deployment', e => {
    let d;
    try { d = JSON.parse(e.data); } catch (x) { return; }
    onDeployment(d);
  });
  source.addEventListener('rollout', e => {
    let r;
    try { r = JSON.parse(e.data); } catch (x) { return; }
    if (onRollout) onRollout(r);
  });
}

// Calls fn at most once per `ms`, the last call of a burst included.
function throttle(fn, ms) {
  let timer = null;
  let again = false;
  return () => {
    if (timer) { again = true; return; }
    fn();
    timer = setTimeout(function tick() {
      if (again) { again = false; fn(); timer = setTimeout(tick, ms); } else { timer = null; }
    }, ms);
  };
}

function link(text, href) {
  const a = el('a', text);
  a.href = href;
  return a;
}

// ---- deployments list
function deploymentRow(d) {
  const tr = el('tr');
  tr.dataset.id = d.id;
  tr.appendChild(el('td', shortTime(d.requestedAt)));
  tr.appendChild(el('td', d.service));
  tr.appendChild(el('td', d.environment));
  const v = el('td');
  const a = el('a', d.version || '(none)');
  a.href = '/ui/deployment.html?id=' + encodeURIComponent(d.id);
  v.appendChild(a);
  tr.appendChild(v);
  tr.appendChild(el('td', d.status, 'status ' + d.status));
  tr.appendChild(el('td', d.requestedBy));
  tr.appendChild(el('td', d.reason));
  tr.appendChild(el('td', shortTime(d.finishedAt)));
  return tr;
}

function deploymentsPage() {
  const params = new URLSearchParams(location.search);
  const filter = {};
  for (const k of ['service', 'environment', 'status']) {
    const v = params.get(k);
    if (v) {
      filter[k] = v;
      document.getElementById('f-' + k).value = v;
    }
  }
  const tbody = document.querySelector('#deployments tbody');
  const matches = d => Object.keys(filter).every(k => d[k] === filter[k]);
  const put = d => {
    if (!matches(d)) return;
    const row = deploymentRow(d);
    const old = Array.from(tbody.children).find(r => r.dataset.id === d.id);
    if (old) {
      tbody.replaceChild(row, old);
    } else {
      row.classList.add('fresh');
      tbody.insertBefore(row, tbody.firstChild);
    }
  };
  const load = () => {
    const q = new URLSearchParams(filter);
    q.set('limit', '100');
    return getJson('/ui/data/deployments?' + q.toString()).then(page => {
      tbody.replaceChildren(...page.items.map(deploymentRow));
    }).catch(e => showError(e.message));
  };
  load();
  live(put, load);
}

// ---- one deployment
function deploymentPage() {
  const id = new URLSearchParams(location.search).get('id');
  if (!id) { showError('no deployment id'); return; }
  const render = d => {
    document.getElementById('title').textContent = d.service + ' ' + (d.version || '') + ' → ' + d.environment;
    const dl = document.getElementById('summary');
    dl.replaceChildren();
    addDl(dl, 'id', d.id);
    addDl(dl, 'status', d.status);
    addDl(dl, 'requested', shortTime(d.requestedAt) + (d.requestedBy ? ' by ' + d.requestedBy : ''));
    addDl(dl, 'reason', d.reason);
    addDl(dl, 'commit', d.commit);
    addDl(dl, 'finished', shortTime(d.finishedAt));
    const hosts = document.getElementById('hosts');
    hosts.replaceChildren();
    for (const h of d.hosts) {
      const box = el('section', null, 'host');
      box.dataset.host = h.host;
      box.appendChild(el('h3', h.host + ': ' + h.status, 'status ' + h.status));
      const p = el('p', (h.fromVersion || '?') + ' → ' + (h.version || '?')
        + (h.durationMs != null ? ' in ' + h.durationMs + ' ms' : '')
        + (h.failedStep ? ', failed at ' + h.failedStep : '') + (h.reason ? ' (' + h.reason + ')' : ''));
      box.appendChild(p);
      const ol = el('ol', null, 'steps');
      for (const s of h.steps) {
        const li = el('li', null, s.ok ? 'ok' : 'failed');
        li.appendChild(el('span', shortTime(s.time), 'time'));
        li.appendChild(el('span', s.name, 'step'));
        li.appendChild(el('span', s.durationMs + ' ms'));
        if (s.exitCode !== null && s.exitCode !== 0) li.appendChild(el('span', 'exit ' + s.exitCode));
        if (s.outputTail) li.appendChild(el('pre', s.outputTail));
        ol.appendChild(li);
      }
      box.appendChild(ol);
      hosts.appendChild(box);
    }
    const tbody = document.querySelector('#timeline tbody');
    tbody.replaceChildren(...d.timeline.map(t => {
      const tr = el('tr');
      tr.appendChild(el('td', t.seq));
      tr.appendChild(el('td', shortTime(t.time)));
      tr.appendChild(el('td', t.type));
      tr.appendChild(el('td', t.host));
      tr.appendChild(el('td', t.unverified ? 'unverified: ' + t.unverified : ''));
      return tr;
    }));
  };
  const load = () => getJson('/ui/data/deployments/' + encodeURIComponent(id)).then(render)
    .catch(e => showError(e.message));
  load();
  live(d => { if (d.id === id) load(); }, load);
}

// ---- fleet: services x hosts, what is behind
function fleetPage() {
  const render = (page, fleet) => {
    const hosts = page.items.slice().sort((a, b) => a.host.localeCompare(b.host));
    const versions = new Map(fleet.items.map(v => [v.host + '\u0000' + v.service, v]));
    const services = Array.from(new Set(hosts.flatMap(h => (h.services || []).map(s => s.name)))).sort();
    const head = document.querySelector('#fleet thead tr');
    head.replaceChildren(el('th', 'service'));
    for (const h of hosts) {
      const th = el('th', h.host, h.stale ? 'silent' : '');
      th.title = h.environment + (h.stale ? ' (silent)' : '');
      head.appendChild(th);
    }
    const tbody = document.querySelector('#fleet tbody');
    tbody.replaceChildren(...services.map(name => {
      const tr = el('tr');
      tr.dataset.service = name;
      tr.appendChild(el('th', name));
      for (const h of hosts) {
        const s = (h.services || []).find(x => x.name === name);
        const v = versions.get(h.host + '\u0000' + name);
        let text = s ? s.version + (s.state ? ' (' + s.state + ')' : '') : '';
        if (v && v.behind) text += ' → ' + v.desired;
        const td = el('td', text, (h.stale ? 'silent ' : '') + (v && v.behind ? 'behind' : ''));
        td.dataset.host = h.host;
        if (v && v.behind) td.title = 'behind: ' + v.desired + ' was asked for';
        tr.appendChild(td);
      }
      return tr;
    }));
    const behind = fleet.items.filter(v => v.behind);
    document.getElementById('uptodate').hidden = behind.length > 0;
    document.querySelector('#behind tbody').replaceChildren(...behind.map(v => {
      const tr = el('tr', null, v.stale ? 'silent' : '');
      tr.dataset.host = v.host;
      tr.dataset.service = v.service;
      tr.appendChild(el('td', v.host));
      tr.appendChild(el('td', v.service));
      tr.appendChild(el('td', v.running, 'behind'));
      tr.appendChild(el('td', v.desired));
      const by = el('td');
      by.appendChild(link(v.desiredBy, '/ui/deployment.html?id=' + encodeURIComponent(v.desiredBy)));
      tr.appendChild(by);
      tr.appendChild(el('td', shortTime(v.desiredAt)));
      tr.appendChild(el('td', v.stale ? 'silent' : (v.state || '')));
      return tr;
    }));
    const list = document.querySelector('#hostlist tbody');
    list.replaceChildren(...hosts.map(h => {
      const tr = el('tr', null, h.stale ? 'silent' : '');
      tr.appendChild(el('td', h.host));
      tr.appendChild(el('td', h.environment));
      tr.appendChild(el('td', h.stale ? 'silent' : h.state));
      tr.appendChild(el('td', h.agentVersion));
      tr.appendChild(el('td', shortTime(h.lastSeen)));
      return tr;
    }));
  };
  const load = () => Promise.all([getJson('/ui/data/hosts'), getJson('/ui/data/fleet')])
    .then(([page, fleet]) => render(page, fleet)).catch(e => showError(e.message));
  const soon = throttle(load, 2000);
  load();
  setInterval(load, 10000);
  live(soon, null, soon);
}

// ---- rollouts and their waves
function rolloutRow(r) {
  const tr = el('tr');
  tr.dataset.id = r.id;
  tr.appendChild(el('td', shortTime(r.startedAt)));
  tr.appendChild(el('td', r.service));
  tr.appendChild(el('td', r.environment));
  const v = el('td');
  v.appendChild(link(r.version, '/ui/rollouts.html?id=' + encodeURIComponent(r.id)));
  tr.appendChild(v);
  tr.appendChild(el('td', r.phase + (r.blocked ? ' (version blocked)' : ''), 'status ' + r.phase));
  tr.appendChild(el('td', r.strategy));
  tr.appendChild(el('td', r.requestedBy));
  tr.appendChild(el('td', r.reason));
  tr.appendChild(el('td', shortTime(r.finishedAt)));
  return tr;
}

function waveState(w) {
  if (!w.startedAt) return 'planned';
  if (!w.finishedAt) return 'in progress';
  const parts = [];
  for (const k of ['succeeded', 'failed', 'skipped', 'unreached']) {
    if (w[k] && w[k].length) parts.push(w[k].length + ' ' + k);
  }
  return 'finished' + (parts.length ? ': ' + parts.join(', ') : '');
}

function rolloutsPage() {
  let selected = new URLSearchParams(location.search).get('id');
  const tbody = document.querySelector('#rollouts tbody');
  const renderDetail = r => {
    document.getElementById('rollout').hidden = false;
    document.getElementById('r-title').textContent = r.service + ' ' + r.version + ' → ' + r.environment + ': ' + r.phase;
    const dl = document.getElementById('r-summary');
    dl.replaceChildren();
    addDl(dl, 'id', r.id);
    addDl(dl, 'phase', r.phase);
    addDl(dl, 'strategy', r.strategy);
    addDl(dl, 'started', shortTime(r.startedAt) + (r.requestedBy ? ' by ' + r.requestedBy : ''));
    addDl(dl, 'reason', r.reason);
    if (r.haltReason) addDl(dl, 'halted', 'wave ' + r.haltedWave + ': ' + r.haltReason);
    if (r.supersededBy) addDl(dl, 'superseded by', r.supersededBy);
    if (r.unreached && r.unreached.length) addDl(dl, 'unreached', r.unreached.join(', '));
    addDl(dl, 'finished', shortTime(r.finishedAt));
    const hostState = new Map((r.hosts || []).map(h => [h.host, h]));
    const waves = document.getElementById('waves');
    waves.replaceChildren(...(r.waves || []).map(w => {
      const box = el('section', null, 'wave');
      box.dataset.wave = w.index;
      const state = waveState(w);
      box.appendChild(el('h4', 'Wave ' + w.index + (w.canary ? ' (canary)' : '') + ': ' + state,
        'wave-state ' + state.split(':')[0].replace(' ', '-')));
      box.appendChild(el('p', (w.startedAt ? 'started ' + shortTime(w.startedAt) : 'not started')
        + (w.finishedAt ? ', finished ' + shortTime(w.finishedAt) : '')));
      const ul = el('ul', null, 'wave-hosts');
      for (const host of w.hosts || []) {
        const h = hostState.get(host) || {};
        const s = h.state || 'planned';
        const li = el('li', host + ': ' + s, 'host-state ' + s);
        li.dataset.host = host;
        const o = h.outcome;
        if (o) li.title = o.status + (o.runningVersion ? ', runs ' + o.runningVersion : '') + (o.reason ? ' (' + o.reason + ')' : '');
        ul.appendChild(li);
      }
      box.appendChild(ul);
      return box;
    }));
    document.querySelector('#r-timeline tbody').replaceChildren(...(r.timeline || []).map(t => {
      const tr = el('tr');
      tr.appendChild(el('td', t.seq));
      tr.appendChild(el('td', shortTime(t.time)));
      tr.appendChild(el('td', t.type));
      return tr;
    }));
  };
  const loadDetail = () => selected ? getJson('/ui/data/rollouts/' + encodeURIComponent(selected)).then(renderDetail)
    .catch(e => showError(e.message)) : Promise.resolve();
  const load = () => getJson('/ui/data/rollouts?limit=50').then(page => {
    tbody.replaceChildren(...page.items.map(rolloutRow));
    document.getElementById('none').hidden = page.items.length > 0;
    if (!selected && page.items.length) selected = page.items[0].id;
    for (const tr of tbody.children) tr.classList.toggle('selected', tr.dataset.id === selected);
    return loadDetail();
  }).catch(e => showError(e.message));
  const detailSoon = throttle(loadDetail, 1000);
  load();
  live(d => { if (d.id === selected) detailSoon(); }, load, r => {
    const row = rolloutRow(r);
    const old = Array.from(tbody.children).find(x => x.dataset.id === r.id);
    if (old) {
      row.classList.toggle('selected', r.id === selected);
      tbody.replaceChild(row, old);
    } else {
      row.classList.add('fresh');
      tbody.insertBefore(row, tbody.firstChild);
      document.getElementById('none').hidden = true;
      if (!selected) selected = r.id;
    }
    if (r.id === selected) detailSoon();
  });
}

// ---- DORA: figures and charts (inline SVG drawn here; no library, no inline script)
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function duration(ms) {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return ms + ' ms';
  if (ms < 120000) return (ms / 1000).toFixed(1) + ' s';
  if (ms < 7200000) return (ms / 60000).toFixed(1) + ' min';
  if (ms < 172800000) return (ms / 3600000).toFixed(1) + ' h';
  return (ms / 86400000).toFixed(1) + ' d';
}

function percent(v) {
  return v === null || v === undefined ? '-' : (Math.round(v * 1000) / 10) + ' %';
}

// A bar per bucket; a bucket with nothing to measure, or zero, has no bar. Each bar has a <title> tooltip.
function barChart(figure, buckets, value, format, cls, hourly) {
  const w = 560, h = 170, left = 48, bottom = 22, top = 8;
  const values = buckets.map(value);
  const max = Math.max(0, ...values.filter(v => v !== null && v !== undefined));
  const chart = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, width: w, height: h, role: 'img', class: 'chart ' + cls });
  chart.appendChild(svg('title', {}, figure.querySelector('figcaption').textContent));
  const plotW = w - left - 4, plotH = h - top - bottom;
  chart.appendChild(svg('line', { x1: left, y1: top + plotH, x2: w - 4, y2: top + plotH, class: 'axis' }));
  chart.appendChild(svg('text', { x: left - 4, y: top + 10, class: 'label end' }, max ? format(max) : ''));
  chart.appendChild(svg('text', { x: left - 4, y: top + plotH, class: 'label end' }, format(0)));
  const step = plotW / Math.max(1, buckets.length);
  buckets.forEach((b, i) => {
    const v = values[i];
    if (v === null || v === undefined || v <= 0) return; // nothing to draw; the tooltip-less gap says so
    const bh = Math.max(1, (v / max) * plotH);
    const bar = svg('rect', { x: left + i * step + step * 0.1, y: top + plotH - bh, width: Math.max(1, step * 0.8),
      height: bh, class: 'bar' });
    bar.appendChild(svg('title', {}, shortTime(b.start) + ': ' + format(v)));
    chart.appendChild(bar);
  });
  const label = b => hourly ? shortTime(b.start).slice(5, 16) : b.start.slice(0, 10);
  if (buckets.length) {
    chart.appendChild(svg('text', { x: left, y: h - 6, class: 'label' }, label(buckets[0])));
    chart.appendChild(svg('text', { x: w - 4, y: h - 6, class: 'label end' }, label(buckets[buckets.length - 1])));
  }
  const old = figure.querySelector('svg');
  if (old) figure.replaceChild(chart, old); else figure.appendChild(chart);
}

function card(name, value, detail) {
  const c = el('div', null, 'card');
  c.appendChild(el('div', name, 'card-name'));
  c.appendChild(el('div', value, 'card-value'));
  if (detail) c.appendChild(el('div', detail, 'card-detail'));
  return c;
}

function doraPage() {
  const params = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const k of ['service', 'environment', 'window']) {
    const v = params.get(k);
    if (v) {
      q.set(k, v);
      document.getElementById('f-' + k).value = v;
    }
  }
  const load = () => Promise.all([getJson('/ui/data/dora?' + q.toString()), getJson('/ui/data/dora/series?' + q.toString())])
    .then(([summary, series]) => {
      const f = summary.figures;
      const hourly = series.bucket === '1h';
      document.getElementById('figures').replaceChildren(
        card('Deployment frequency', f.deploymentsPerDay + ' / day', f.succeeded + ' succeeded of ' + f.deployments + ' in ' + f.window),
        card('Lead time (request → healthy)', duration(f.leadTimeP50Ms), 'median; mean ' + duration(f.leadTimeMeanMs)),
        card('Change failure rate', percent(f.changeFailureRate), f.failed + ' failed or rolled back'),
        card('Time to restore', duration(f.timeToRestoreP50Ms), 'median of ' + f.restored + ' restored; '
          + f.unrestored + ' still failing'));
      for (const u of document.querySelectorAll('.unit')) u.textContent = hourly ? 'hour' : 'day';
      const items = series.items;
      barChart(document.getElementById('chart-frequency'), items, b => b.succeeded, v => String(Math.round(v * 10) / 10), 'frequency', hourly);
      barChart(document.getElementById('chart-lead'), items, b => b.leadTimeMeanMs, duration, 'lead', hourly);
      barChart(document.getElementById('chart-failure'), items, b => b.changeFailureRate, percent, 'failure', hourly);
      barChart(document.getElementById('chart-restore'), items, b => b.timeToRestoreMeanMs, duration, 'restore', hourly);
    }).catch(e => showError(e.message));
  load();
  live(throttle(load, 5000), null);
}

// ---- hash chain
function chainPage() {
  const button = document.getElementById('verify');
  const run = () => {
    button.disabled = true;
    document.getElementById('verdict').textContent = 'verifying…';
    getJson('/ui/data/verify').then(r => {
      const v = document.getElementById('verdict');
      v.textContent = r.ok ? 'intact: ' + r.checked + ' events checked' : 'BROKEN at seq ' + r.brokenAtSeq + ': ' + r.reason;
      v.className = 'verdict ' + (r.ok ? 'ok' : 'broken');
      const dl = document.getElementById('report');
      dl.replaceChildren();
      addDl(dl, 'head seq', r.headSeq);
      addDl(dl, 'head hash', r.headHash);
      addDl(dl, 'conflicting event ids', r.conflicts);
      addDl(dl, 'unverified agent events', r.unverified);
      if (!r.ok) addDl(dl, 'broken event', r.brokenEventId);
    }).catch(e => showError(e.message)).finally(() => { button.disabled = false; });
  };
  button.addEventListener('click', run);
  run();
  live(() => {}, null);
}

document.addEventListener('DOMContentLoaded', () => {
  const page = document.body.dataset.page;
  const current = document.getElementById('nav-' + (page === 'deployment' ? 'deployments' : page));
  if (current) current.classList.add('current');
  ({ deployments: deploymentsPage, deployment: deploymentPage, fleet: fleetPage, chain: chainPage,
    rollouts: rolloutsPage, dora: doraPage })[page]();
});
