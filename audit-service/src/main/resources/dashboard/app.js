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

function live(onDeployment, onOpen) {
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

// ---- fleet: services x hosts
function fleetPage() {
  const render = page => {
    const hosts = page.items.slice().sort((a, b) => a.host.localeCompare(b.host));
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
      tr.appendChild(el('th', name));
      for (const h of hosts) {
        const s = (h.services || []).find(x => x.name === name);
        const td = el('td', s ? s.version + (s.state ? ' (' + s.state + ')' : '') : '', h.stale ? 'silent' : '');
        tr.appendChild(td);
      }
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
  const load = () => getJson('/ui/data/hosts').then(render).catch(e => showError(e.message));
  load();
  setInterval(load, 10000);
  live(() => load(), null);
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
  ({ deployments: deploymentsPage, deployment: deploymentPage, fleet: fleetPage, chain: chainPage })[page]();
});
