// The console's pages. Controls (forms, buttons, the events filter) are built once per page; only
// the data regions under them are redrawn by each poll, so focus and typing are never lost.

import {ApiError, call, get, login, name, session} from './api.js';
import {ago, badge, el, pairs, parsePairs, replace, stateKind, time} from './format.js';
import {confirmAction, problemBox} from './dialogs.js';
import {signalChart} from './chart.js';

const POLL_MS = 5000;
const HISTORY_POLL_MS = 15000;

// ---------------------------------------------------------------------------------------- login

export function loginView(main, ctx, message) {
  const token = el('input', {id: 'login-token', name: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'login-help'});
  const problem = el('div', {id: 'login-problem', 'aria-live': 'polite'});
  const form = el('form', {id: 'login-form', class: 'card narrow', novalidate: true},
    el('h1', {text: 'Log in'}),
    message ? el('p', {class: 'notice', role: 'status', text: message}) : null,
    el('label', {for: 'login-token', text: 'API token'}),
    token,
    el('p', {id: 'login-help', class: 'help',
      text: 'A token from auth.tokens or SSM. It is kept for this browser tab only (sessionStorage) and sent as a bearer token to the /v1 API.'}),
    el('button', {type: 'submit', class: 'button button-primary', id: 'login-submit', text: 'Log in'}),
    problem);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    replace(problem);
    if (!token.value.trim()) {
      replace(problem, problemBox(new ApiError(0, {title: 'Token missing', detail: 'Paste your API token.'})));
      token.focus();
      return;
    }
    try {
      const who = await login(token.value.trim());
      ctx.loggedIn();
      ctx.announce(`Logged in as ${who.principal} (${who.role})`);
      ctx.navigate('#/clusters');
    } catch (error) {
      replace(problem, problemBox(error));
      token.focus();
    }
  });
  replace(main, form);
  token.focus();
}

// ------------------------------------------------------------------------------------- clusters

async function loadClusters() {
  const page = await get('/v1/clusters?limit=500');
  return Promise.all(page.clusters.map(async summary => {
    const base = `/v1/clusters/${name(summary.name)}`;
    const [detail, signal, operation] = await Promise.all([
      get(base).catch(error => ({error})),
      get(`${base}/autoscaling`).catch(() => null),
      summary.activeOperation ? get(`/v1/operations/${encodeURIComponent(summary.activeOperation)}`).catch(() => null) : null,
    ]);
    return {summary, detail, signal, operation};
  }));
}

function routingCell(detail) {
  const routing = detail && detail.status && detail.status.routing;
  if (!routing) return el('td', {class: 'routable', 'data-routable': 'unknown'}, badge('unknown', 'neutral'));
  return el('td', {class: 'routable', 'data-routable': String(routing.routable)},
    badge(routing.routable ? 'yes' : 'no', routing.routable ? 'good' : 'bad'),
    routing.routable ? null : el('div', {class: 'reason', text: routing.reason}));
}

function workersText(detail, signal) {
  const spec = detail && detail.spec ? detail.spec.workers : null;
  const active = detail && detail.status && detail.status.activeWorkers !== undefined && detail.status.activeWorkers !== null
    ? detail.status.activeWorkers : signal && signal.inputs ? signal.inputs.activeWorkers : '?';
  const draining = signal && signal.inputs ? signal.inputs.drainingWorkers : 0;
  return spec ? `${active} of ${spec.count} active, ${draining} draining (min ${spec.min}, max ${spec.max})` : `${active} active, ${draining} draining`;
}

/** An operation RUNNING is work in progress, not a healthy state. */
function operationKind(state) {
  return state === 'RUNNING' ? 'busy' : stateKind(state);
}

function operationSummary(operation) {
  if (!operation) return el('span', {class: 'muted', text: '—'});
  const steps = operation.steps || [];
  const last = steps[steps.length - 1];
  const done = steps.filter(step => step.state === 'DONE').length;
  return el('span', {class: 'operation-summary'},
    badge(`${operation.kind} ${operation.state.toLowerCase()}`, operationKind(operation.state)),
    ` step ${steps.length ? steps.length : 0} (${done} done)`,
    last ? el('div', {class: 'reason'}, `${last.name}: ${last.detail}`) : null);
}

export function clustersView(main, ctx) {
  const region = el('div', {id: 'clusters-region', 'aria-live': 'off'}, el('p', {class: 'muted', text: 'Loading clusters…'}));
  const updated = el('p', {class: 'updated muted', id: 'clusters-updated'});
  replace(main,
    el('div', {class: 'page-head'},
      el('h1', {text: 'Clusters'}),
      session.isAdmin() ? el('a', {href: '#/create', class: 'button button-primary', id: 'new-cluster', text: 'New cluster'}) : null),
    updated, region);
  ctx.poll(async () => {
    try {
      const rows = await loadClusters();
      updated.textContent = `Refreshed ${new Date().toLocaleTimeString(undefined, {hour12: false})}; every ${POLL_MS / 1000} s while this tab is visible.`;
      if (!rows.length) {
        replace(region, el('p', {text: 'No cluster yet.'}));
        return;
      }
      replace(region, el('div', {class: 'table-wrap'}, el('table', {id: 'clusters', class: 'data'},
        el('caption', {class: 'visually-hidden', text: 'Every cluster with its state, routing, workers and operation'}),
        el('thead', {}, el('tr', {}, ['Name', 'Flavour', 'Version', 'State', 'Routable', 'Workers', 'Operation']
          .map(heading => el('th', {scope: 'col', text: heading})))),
        el('tbody', {}, rows.map(({summary, detail, signal, operation}) => el('tr', {'data-cluster': summary.name},
          el('th', {scope: 'row'}, el('a', {href: `#/clusters/${encodeURIComponent(summary.name)}`, text: summary.name})),
          el('td', {text: detail && detail.spec ? detail.spec.flavour : ''}),
          el('td', {text: summary.version}),
          el('td', {class: 'state'}, badge(summary.state, stateKind(summary.state))),
          routingCell(detail),
          el('td', {class: 'workers', text: workersText(detail, signal)}),
          el('td', {class: 'operation'}, operationSummary(operation))))))));
    } catch (error) {
      replace(region, problemBox(error));
    }
  }, POLL_MS);
}

// -------------------------------------------------------------------------------------- cluster

function flatten(value, prefix = '', out = []) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (!keys.length && prefix) out.push([prefix, '{}']);
    keys.forEach(key => flatten(value[key], prefix ? `${prefix}.${key}` : key, out));
  } else {
    out.push([prefix, Array.isArray(value) ? value.join(', ') || '(none)' : value === null || value === undefined ? '—' : String(value)]);
  }
  return out;
}

function specList(spec) {
  return el('dl', {class: 'spec', id: 'cluster-spec'}, flatten(spec).flatMap(([key, value]) => [el('dt', {text: key}), el('dd', {text: value})]));
}

function stepsList(operation) {
  return el('ol', {class: 'steps', id: 'operation-steps'}, (operation.steps || []).map(step => el('li', {'data-state': step.state},
    badge(step.state.toLowerCase(), operationKind(step.state)), ' ', el('strong', {text: step.name}),
    step.detail ? ` — ${step.detail}` : '', ' ', el('span', {class: 'muted', text: time(step.at)}))));
}

function cliCommand(url) {
  const host = new URL(url);
  // *.localhost resolves in browsers and curl, not in Java: the local stack's CLI goes through Traefik as its proxy
  const proxy = host.hostname.endsWith('.localhost') ? ` --http-proxy 127.0.0.1:${host.port || 80}` : '';
  return `trino --server ${url}${proxy}`;
}

function describeResize(cluster, from, to) {
  if (to < from) {
    const n = from - to;
    return [`Resize ${cluster} ${from} -> ${to}: ${n === 1 ? 'one worker drains' : `${n} workers drain`} first (Trino stops giving ${n === 1 ? 'it' : 'them'} tasks and the queries running there finish), then Nomad stops ${n === 1 ? 'it' : 'them'}.`,
      'Nothing else is redeployed; the coordinator keeps serving.'];
  }
  const n = to - from;
  return [`Resize ${cluster} ${from} -> ${to}: ${n === 1 ? 'one new worker starts' : `${n} new workers start`} and joins the coordinator once healthy.`,
    'Nothing else is redeployed; running queries are not touched.'];
}

const ACTIONS = {
  restart: (cluster, spec) => ({title: `Restart ${cluster}`, button: 'Restart', lines: [
    `Every allocation of ${cluster} is replaced with the same spec: the ${spec.workers.count} worker(s) one at a time, each drained first, then the coordinator once.`,
    'Queries still running on the coordinator when it restarts fail; the public URL is unrouted until it is healthy again.']}),
  stop: cluster => ({title: `Stop ${cluster}`, button: 'Stop', danger: true, lines: [
    `Every allocation of ${cluster} stops (workers drain themselves on the way out); its public URL stops answering.`,
    'The spec is kept: Start brings the cluster back.']}),
  start: cluster => ({title: `Start ${cluster}`, button: 'Start', lines: [
    `${cluster} is deployed again from its kept spec; it is routed once its coordinator counts a worker.`]}),
  delete: cluster => ({title: `Delete ${cluster}`, button: `Delete ${cluster}`, danger: true, lines: [
    `The Nomad job of ${cluster} stops and everything the orchestrator keeps about it (spec, events, variables) is removed.`,
    'This cannot be undone.']}),
};

export function clusterView(main, ctx, clusterName) {
  const base = `/v1/clusters/${name(clusterName)}`;
  const admin = session.isAdmin();
  let current = null;
  let tracked = null;
  let events = [];

  const heading = el('h1', {id: 'cluster-title'}, clusterName, ' ', el('span', {id: 'cluster-state'}));
  const actionProblem = el('div', {id: 'action-problem', 'aria-live': 'polite'});
  const resizeInput = el('input', {id: 'resize-count', type: 'number', min: 0, inputmode: 'numeric', class: 'short', 'aria-describedby': 'resize-help'});
  const resizeButton = el('button', {type: 'submit', class: 'button', id: 'resize-submit', text: 'Resize'});
  const resize = el('form', {class: 'inline-form', id: 'resize-form'},
    el('label', {for: 'resize-count', text: 'Workers'}), resizeInput, resizeButton,
    el('span', {id: 'resize-help', class: 'help', text: 'Within min..max of the spec.'}));
  const buttons = Object.keys(ACTIONS).map(action => el('button', {type: 'button', class: ['button', action === 'delete' ? 'button-danger' : null],
    id: `action-${action}`, 'data-action': action, text: action[0].toUpperCase() + action.slice(1)}));
  const actions = admin
    ? el('section', {class: 'actions', 'aria-labelledby': 'actions-title'}, el('h2', {id: 'actions-title', class: 'visually-hidden', text: 'Actions'}),
      resize, el('div', {class: 'button-row'}, buttons), actionProblem)
    : el('p', {class: 'notice', id: 'viewer-notice', text: 'Viewer token: you see everything; resize, restart, stop, start and delete need an admin token.'});

  const connect = el('div', {id: 'connect'});
  const spec = el('div', {id: 'spec-region'});
  const workers = el('div', {id: 'workers-region'}, el('p', {class: 'muted', text: 'Loading workers…'}));
  const operation = el('div', {id: 'operation-region'});
  const signal = el('div', {id: 'signal-region'});
  const chart = el('div', {id: 'chart-region'}, el('p', {class: 'muted', text: 'Loading the last hour…'}));
  const typeFilter = el('select', {id: 'events-type'}, el('option', {value: '', text: 'All types'}));
  const textFilter = el('input', {id: 'events-text', type: 'search', placeholder: 'worker, drain, admin…'});
  const eventList = el('div', {id: 'events-region'});
  const problem = el('div', {id: 'cluster-problem', 'aria-live': 'polite'});

  replace(main,
    el('p', {class: 'breadcrumb'}, el('a', {href: '#/clusters', text: 'Clusters'}), ' / ', clusterName),
    heading, problem, actions,
    el('div', {class: 'grid'},
      el('section', {class: 'card', 'aria-labelledby': 'connect-title'}, el('h2', {id: 'connect-title', text: 'Connect'}), connect),
      el('section', {class: 'card', 'aria-labelledby': 'operation-title'}, el('h2', {id: 'operation-title', text: 'Operation'}), operation),
      el('section', {class: 'card wide', 'aria-labelledby': 'workers-title'}, el('h2', {id: 'workers-title', text: 'Workers'}), workers),
      el('section', {class: 'card wide', 'aria-labelledby': 'signal-title'}, el('h2', {id: 'signal-title', text: 'Autoscaling signal, last hour'}), signal, chart),
      el('section', {class: 'card wide', 'aria-labelledby': 'events-title'}, el('h2', {id: 'events-title', text: 'Events'}),
        el('div', {class: 'filters'},
          el('label', {for: 'events-type', text: 'Type'}), typeFilter,
          el('label', {for: 'events-text', text: 'Text'}), textFilter),
        eventList),
      el('section', {class: 'card wide', 'aria-labelledby': 'spec-title'}, el('h2', {id: 'spec-title', text: 'Spec'}), spec)));

  const drawEvents = () => {
    const type = typeFilter.value;
    const text = textFilter.value.trim().toLowerCase();
    const shown = events.filter(event => (!type || event.type === type)
      && (!text || `${event.type} ${event.message} ${event.actor}`.toLowerCase().includes(text))).slice().reverse();
    replace(eventList, el('p', {class: 'muted', id: 'events-count', text: `${shown.length} of ${events.length} events, newest first`}),
      el('ol', {class: 'timeline', id: 'events'}, shown.map(event => el('li', {'data-type': event.type},
        el('div', {class: 'event-head'}, el('code', {class: 'event-type', text: event.type}), ' ',
          el('time', {datetime: event.at, text: time(event.at)}), ' ', el('span', {class: 'muted', text: `by ${event.actor}`})),
        el('div', {class: 'event-message', text: event.message})))));
  };
  typeFilter.addEventListener('change', drawEvents);
  textFilter.addEventListener('input', drawEvents);

  const act = async (request, label) => {
    replace(actionProblem);
    try {
      const result = await request();
      if (result.status === 200 && result.data && result.data.changed === false) {
        // PATCH with the spec as it is: nothing was done
        ctx.announce(`${label}: ${result.data.message}`);
        return;
      }
      if (result.data && result.data.id) tracked = result.data.id;
      ctx.announce(`${label}: accepted${tracked ? `, operation ${tracked}` : ''}`);
      ctx.refresh();
    } catch (error) {
      replace(actionProblem, problemBox(error, {id: 'action-problem-box'}));
    }
  };

  if (admin) {
    resize.addEventListener('submit', async event => {
      event.preventDefault();
      if (!current) return;
      const from = current.spec.workers.count;
      const to = Number.parseInt(resizeInput.value, 10);
      if (!Number.isInteger(to) || to === from) {
        replace(actionProblem, problemBox(new ApiError(0, {title: 'Nothing to resize', detail: `Enter a worker count other than ${from}.`})));
        resizeInput.focus();
        return;
      }
      if (await confirmAction(`Resize ${clusterName}`, describeResize(clusterName, from, to), `Resize to ${to}`)) {
        await act(() => call('PATCH', base, {workers: {count: to}}), `Resize ${clusterName} ${from} -> ${to}`);
      }
      resizeInput.focus();
    });
    buttons.forEach(button => button.addEventListener('click', async () => {
      if (!current) return;
      const action = button.dataset.action;
      const text = ACTIONS[action](clusterName, current.spec);
      if (!await confirmAction(text.title, text.lines, text.button, {danger: text.danger})) {
        button.focus();
        return;
      }
      if (action === 'delete') {
        await act(() => call('DELETE', base), `Delete ${clusterName}`);
      } else {
        await act(() => call('POST', `${base}/${action}`), `${text.button} ${clusterName}`);
      }
      button.focus();
    }));
  }

  const drawCluster = cluster => {
    current = cluster;
    replace(heading.querySelector('#cluster-state'), badge(cluster.state, stateKind(cluster.state)));
    const routing = cluster.status.routing || {};
    replace(connect,
      routing.url
        ? [el('p', {}, 'Public URL: ', el('a', {href: routing.url, id: 'public-url', rel: 'noreferrer', text: routing.url})),
          el('p', {}, 'Routable: ', el('span', {id: 'cluster-routable', 'data-routable': String(routing.routable)}, badge(routing.routable ? 'yes' : 'no', routing.routable ? 'good' : 'bad')),
            ' ', el('span', {class: 'reason', text: routing.reason})),
          el('p', {}, el('label', {for: 'cli-command', text: 'Trino CLI'})),
          el('div', {class: 'copy-row'},
            el('input', {id: 'cli-command', readonly: true, value: cliCommand(routing.url), class: 'code', spellcheck: 'false'}),
            copyButton('cli-command'))]
        : el('p', {class: 'muted', text: `No public URL while the cluster is ${cluster.state}. ${routing.reason || ''}`}));
    replace(spec, specList(cluster.spec),
      el('p', {class: 'muted'}, `Created ${time(cluster.createdAt)} by ${cluster.createdBy}; updated ${time(cluster.updatedAt)}.`,
        cluster.status.drift ? ` Drift: ${cluster.status.driftReason || 'the job differs from the orchestrator\'s last change'}.` : ''));
    if (admin) {
      if (document.activeElement !== resizeInput && resizeInput.dataset.count !== String(cluster.spec.workers.count)) {
        resizeInput.value = cluster.spec.workers.count;
        resizeInput.dataset.count = String(cluster.spec.workers.count);
      }
      resizeInput.min = cluster.spec.workers.min;
      resizeInput.max = cluster.spec.workers.max;
      const busy = Boolean(cluster.activeOperation);
      const allowed = {
        restart: ['running', 'failed'].includes(cluster.state),
        stop: ['running', 'failed'].includes(cluster.state),
        start: cluster.state === 'stopped',
        delete: cluster.state !== 'deleting',
      };
      buttons.forEach(button => {
        button.disabled = busy || !allowed[button.dataset.action];
      });
      resizeButton.disabled = busy || !['running', 'failed', 'stopped'].includes(cluster.state);
      replace(document.getElementById('resize-help'), busy ? 'An operation is running: actions wait for it.' : `Within ${cluster.spec.workers.min}..${cluster.spec.workers.max} (the spec's min and max).`);
    }
  };

  const drawOperation = op => {
    if (!op) {
      replace(operation, el('p', {class: 'muted', id: 'no-operation', text: 'No operation in progress.'}));
      return;
    }
    replace(operation,
      el('p', {id: 'operation-head'}, op.state === 'RUNNING' ? null : el('span', {class: 'muted', text: 'Last operation: '}),
        badge(op.state.toLowerCase(), operationKind(op.state)), ' ', el('strong', {text: op.kind}),
        ` asked by ${op.requestedBy} ${ago(op.createdAt)}`, op.runner ? `, run by ${op.runner}` : ''),
      stepsList(op),
      op.error ? el('p', {class: 'problem-detail', text: op.error}) : null);
  };

  const drawWorkers = list => {
    if (!list.workers.length) {
      replace(workers, el('p', {class: 'muted', text: 'No worker allocation is running.'}));
      return;
    }
    replace(workers, el('div', {class: 'table-wrap'}, el('table', {class: 'data', id: 'workers'},
      el('caption', {class: 'visually-hidden', text: 'Live workers'}),
      el('thead', {}, el('tr', {}, ['Worker', 'Trino state', 'Nomad node', 'Nomad (client / desired)', 'Allocation'].map(text => el('th', {scope: 'col', text})))),
      el('tbody', {}, list.workers.map(worker => el('tr', {'data-alloc': worker.allocId, 'data-trino-state': worker.trinoState || ''},
        el('th', {scope: 'row', text: worker.name}),
        el('td', {}, worker.trinoState ? badge(worker.trinoState, stateKind(worker.trinoState)) : el('span', {class: 'muted', text: worker.registered ? 'no answer' : 'not registered yet'})),
        el('td', {}, el('code', {text: worker.nodeId.slice(0, 8), title: `Nomad node ${worker.nodeId}`}),
          worker.consulNode ? el('span', {class: 'muted', text: ` (Consul: ${worker.consulNode})`}) : null),
        el('td', {text: `${worker.clientStatus} / ${worker.desiredStatus}`}),
        el('td', {}, el('code', {text: worker.allocId.slice(0, 8), title: worker.allocId}))))))));
  };

  const drawSignal = view => {
    if (!view) return;
    replace(signal, el('p', {id: 'signal-now'}, badge(view.status, stateKind(view.status)), ' ',
      view.status === 'ok' ? `needs ${view.needed} worker(s), ${view.currentWorkers} active: ` : '', view.reason || ''));
  };

  ctx.poll(async () => {
    try {
      const [cluster, timeline] = await Promise.all([get(base), get(`${base}/events`).catch(() => ({events}))]);
      replace(problem);
      drawCluster(cluster);
      // the operation in progress, else the one this page asked for, else the last one the timeline names
      const lastInTimeline = [...(timeline.events || [])].reverse().find(event => event.operation);
      const operationId = cluster.activeOperation || tracked || (lastInTimeline ? lastInTimeline.operation : null);
      const [op, live, view] = await Promise.all([
        operationId ? get(`/v1/operations/${encodeURIComponent(operationId)}`).catch(() => null) : null,
        get(`${base}/workers`).catch(error => ({error})),
        get(`${base}/autoscaling`).catch(() => null),
      ]);
      drawOperation(op);
      if (live.error) replace(workers, problemBox(live.error)); else drawWorkers(live);
      drawSignal(view);
      events = timeline.events || [];
      const types = [...new Set(events.map(event => event.type))].sort();
      const known = [...typeFilter.options].slice(1).map(option => option.value);
      if (types.join() !== known.join()) {
        const selected = typeFilter.value;
        replace(typeFilter, el('option', {value: '', text: 'All types'}), types.map(type => el('option', {value: type, text: type, selected: type === selected})));
      }
      drawEvents();
    } catch (error) {
      replace(problem, problemBox(error, {id: 'cluster-problem-box'}));
      if (error.status === 404) return 'stop';
    }
    return undefined;
  }, POLL_MS);

  ctx.poll(async () => {
    try {
      replace(chart, signalChart(await get(`${base}/autoscaling/history`)));
    } catch (error) {
      replace(chart, problemBox(error));
    }
  }, HISTORY_POLL_MS);
}

function copyButton(target) {
  const button = el('button', {type: 'button', class: 'button', text: 'Copy', 'aria-controls': target});
  button.addEventListener('click', async () => {
    const input = document.getElementById(target);
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = 'Copied';
    } catch {
      input.select();
      button.textContent = 'Select + Ctrl-C';
    }
  });
  return button;
}

// ------------------------------------------------------------------------------- create cluster

function field(id, label, input, help) {
  return el('div', {class: 'field', 'data-field': input.dataset.pointer},
    el('label', {for: id, text: label}), input,
    help ? el('p', {class: 'help', id: `${id}-help`, text: help}) : null,
    el('p', {class: 'field-error', id: `${id}-error`, hidden: true}));
}

function input(id, pointer, attrs = {}) {
  return el('input', {id, name: id, 'data-pointer': pointer, 'aria-describedby': `${id}-help ${id}-error`, ...attrs});
}

/** Shows each field error of a problem next to the field whose JSON pointer it names (or a parent's); returns the ones no field took. */
function showFieldErrors(form, errors) {
  form.querySelectorAll('.field-error').forEach(node => {
    node.hidden = true;
    node.textContent = '';
  });
  form.querySelectorAll('[aria-invalid]').forEach(node => node.removeAttribute('aria-invalid'));
  const fields = [...form.querySelectorAll('[data-pointer]')];
  const unplaced = [];
  let first = null;
  for (const error of errors) {
    const target = fields.find(candidate => candidate.dataset.pointer === error.field)
      || fields.find(candidate => error.field.startsWith(`${candidate.dataset.pointer}/`));
    if (!target) {
      unplaced.push(error);
      continue;
    }
    const message = document.getElementById(`${target.id}-error`);
    message.textContent = message.textContent ? `${message.textContent} ${error.message}` : error.message;
    message.hidden = false;
    target.setAttribute('aria-invalid', 'true');
    first = first || target;
  }
  if (first) first.focus();
  return unplaced;
}

export async function createView(main, ctx) {
  if (!session.isAdmin()) {
    replace(main, el('h1', {text: 'New cluster'}), el('p', {class: 'notice', text: 'Creating a cluster needs an admin token.'}));
    return;
  }
  const catalogs = await get('/v1/catalogs').then(body => body.catalogs).catch(() => []);
  const problem = el('div', {id: 'create-problem', 'aria-live': 'polite'});
  const form = el('form', {id: 'create-form', class: 'card form', novalidate: true},
    el('h1', {text: 'New cluster'}),
    field('create-name', 'Name', input('create-name', '/name', {required: true, autocomplete: 'off'}),
      'DNS-safe: lowercase letters, digits and -, starting with a letter, at most 40 characters. Its public URL is http://<name>.<domain>.'),
    field('create-flavour', 'Flavour', el('select', {id: 'create-flavour', 'data-pointer': '/flavour', 'aria-describedby': 'create-flavour-error'},
      el('option', {value: 'trino', text: 'trino'}), el('option', {value: 'prestodb', text: 'prestodb'}))),
    field('create-version', 'Version', input('create-version', '/version', {value: '476'})),
    field('create-environment', 'Environment', input('create-environment', '/environment', {value: 'local'}), 'The variable file job-templates/vars/<environment>.yaml.'),
    el('fieldset', {class: 'fieldset'}, el('legend', {text: 'Workers'}),
      field('create-count', 'Count', input('create-count', '/workers/count', {type: 'number', min: 0, value: 1, class: 'short'})),
      field('create-min', 'Min', input('create-min', '/workers/min', {type: 'number', min: 0, value: 0, class: 'short'})),
      field('create-max', 'Max', input('create-max', '/workers/max', {type: 'number', min: 0, value: 4, class: 'short'}))),
    el('fieldset', {class: 'fieldset', 'data-pointer': '/catalogs', id: 'create-catalogs', 'aria-describedby': 'create-catalogs-error'}, el('legend', {text: 'Catalogs'}),
      catalogs.length ? catalogs.map(catalog => el('label', {class: 'check'},
        el('input', {type: 'checkbox', name: 'catalog', value: catalog.name}), ` ${catalog.name} (${catalog.connectorName})`))
        : el('p', {class: 'muted', text: 'No catalog defined yet.'}),
      el('p', {class: 'field-error', id: 'create-catalogs-error', hidden: true})),
    field('create-autoscaling', 'Autoscaling (the Trino-aware signal, between min and max)',
      el('input', {id: 'create-autoscaling', type: 'checkbox', 'data-pointer': '/autoscaling', 'aria-describedby': 'create-autoscaling-error'})),
    el('div', {class: 'button-row'},
      el('button', {type: 'submit', class: 'button button-primary', id: 'create-submit', text: 'Create'}),
      el('a', {href: '#/clusters', class: 'button', text: 'Cancel'})),
    problem);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    replace(problem);
    const value = id => form.querySelector(`#${id}`).value.trim();
    const number = id => (value(id) === '' ? undefined : Number(value(id)));
    const body = {
      name: value('create-name'),
      flavour: value('create-flavour'),
      version: value('create-version'),
      environment: value('create-environment'),
      workers: {count: number('create-count'), min: number('create-min'), max: number('create-max')},
      catalogs: [...form.querySelectorAll('input[name=catalog]:checked')].map(box => box.value),
      autoscaling: {enabled: form.querySelector('#create-autoscaling').checked},
    };
    const lines = [`Create ${body.name || '(no name)'}: ${body.flavour} ${body.version}, 1 coordinator and ${body.workers.count} worker(s) (min ${body.workers.min}, max ${body.workers.max}), catalogs ${body.catalogs.join(', ') || 'none'}.`,
      'The job is rendered and deployed to Nomad; the cluster is routed once its coordinator counts a worker.'];
    if (!await confirmAction(`Create ${body.name || 'a cluster'}`, lines, 'Create')) return;
    try {
      const result = await call('POST', '/v1/clusters', body);
      ctx.announce(`Create ${body.name}: accepted, operation ${result.data.id}`);
      ctx.navigate(`#/clusters/${encodeURIComponent(body.name)}`);
    } catch (error) {
      const unplaced = error instanceof ApiError ? showFieldErrors(form, error.fieldErrors()) : [];
      const shown = error.problem ? {...error.problem, errors: unplaced} : null;
      replace(problem, problemBox(shown ? new ApiError(error.status, shown) : error, {id: 'create-problem-box'}));
    }
  });
  replace(main, el('p', {class: 'breadcrumb'}, el('a', {href: '#/clusters', text: 'Clusters'}), ' / new'), form);
  form.querySelector('#create-name').focus();
}

// ------------------------------------------------------------------------------------- catalogs

export function catalogsView(main, ctx) {
  const admin = session.isAdmin();
  const region = el('div', {id: 'catalogs-region'}, el('p', {class: 'muted', text: 'Loading catalogs…'}));
  const editor = el('div', {id: 'catalog-editor'});
  const problem = el('div', {id: 'catalogs-problem', 'aria-live': 'polite'});
  replace(main,
    el('div', {class: 'page-head'}, el('h1', {text: 'Catalogs'}),
      admin ? el('button', {type: 'button', class: 'button button-primary', id: 'new-catalog', text: 'New catalog', onclick: () => openEditor(null)}) : null),
    el('p', {class: 'help', text: 'Secret properties are SSM references (ssm:/path), never values: the value is read from SSM at deploy time and reaches Trino through a Nomad Variable, never this page.'}),
    problem, editor, region);

  const refresh = async () => {
    try {
      const [{catalogs}, {clusters}] = await Promise.all([get('/v1/catalogs'), get('/v1/clusters?limit=500')]);
      const users = {};
      await Promise.all(clusters.map(summary => get(`/v1/clusters/${name(summary.name)}`).then(detail => {
        (detail.spec.catalogs || []).forEach(catalog => (users[catalog] = users[catalog] || []).push(`${summary.name} (${summary.state})`));
      }).catch(() => null)));
      replace(region, catalogs.length ? el('div', {class: 'table-wrap'}, el('table', {class: 'data', id: 'catalogs'},
        el('caption', {class: 'visually-hidden', text: 'Catalog definitions'}),
        el('thead', {}, el('tr', {}, ['Name', 'Connector', 'Properties', 'Secret properties (SSM references)', 'Used by', admin ? 'Actions' : null]
          .filter(Boolean).map(text => el('th', {scope: 'col', text})))),
        el('tbody', {}, catalogs.map(catalog => el('tr', {'data-catalog': catalog.name},
          el('th', {scope: 'row', text: catalog.name}),
          el('td', {text: catalog.connectorName}),
          el('td', {}, el('pre', {class: 'pairs', text: pairs(catalog.properties) || '—'})),
          el('td', {}, el('pre', {class: 'pairs', text: pairs(catalog.secretProperties) || '—'})),
          el('td', {text: (users[catalog.name] || []).join(', ') || '—'}),
          admin ? el('td', {class: 'button-row'},
            el('button', {type: 'button', class: 'button', text: 'Edit', 'aria-label': `Edit ${catalog.name}`, onclick: () => openEditor(catalog, users[catalog.name] || [])}),
            el('button', {type: 'button', class: 'button button-danger', text: 'Delete', 'aria-label': `Delete ${catalog.name}`, onclick: () => remove(catalog, users[catalog.name] || [])}))
            : null))))) : el('p', {text: 'No catalog defined yet.'}));
    } catch (error) {
      replace(region, problemBox(error));
    }
  };

  const remove = async (catalog, usedBy) => {
    const lines = [`The definition of ${catalog.name} is removed.`, usedBy.length
      ? `Clusters using it (${usedBy.join(', ')}) make the orchestrator refuse the delete: remove it from their specs first.`
      : 'No cluster uses it.'];
    if (!await confirmAction(`Delete catalog ${catalog.name}`, lines, `Delete ${catalog.name}`, {danger: true})) return;
    try {
      await call('DELETE', `/v1/catalogs/${name(catalog.name)}`);
      ctx.announce(`Catalog ${catalog.name} deleted`);
      refresh();
    } catch (error) {
      replace(problem, problemBox(error));
    }
  };

  const openEditor = (catalog, usedBy = []) => {
    const editing = Boolean(catalog);
    const formProblem = el('div', {'aria-live': 'polite', id: 'catalog-problem'});
    const form = el('form', {class: 'card form', id: 'catalog-form', novalidate: true},
      el('h2', {text: editing ? `Edit catalog ${catalog.name}` : 'New catalog'}),
      field('catalog-name', 'Name', input('catalog-name', '/name', {value: editing ? catalog.name : '', readonly: editing, required: true}),
        'Lowercase letters, digits and _, starting with a letter.'),
      field('catalog-connector', 'Connector', input('catalog-connector', '/connectorName', {value: editing ? catalog.connectorName : '', required: true}), 'e.g. tpch, hive, postgresql'),
      field('catalog-properties', 'Properties (key=value, one a line)',
        el('textarea', {id: 'catalog-properties', rows: 4, 'data-pointer': '/properties', 'aria-describedby': 'catalog-properties-error', class: 'code',
          value: editing ? pairs(catalog.properties) : ''})),
      field('catalog-secrets', 'Secret properties (key=ssm:/path, one a line)',
        el('textarea', {id: 'catalog-secrets', rows: 3, 'data-pointer': '/secretProperties', 'aria-describedby': 'catalog-secrets-help catalog-secrets-error', class: 'code',
          value: editing ? pairs(catalog.secretProperties) : ''}),
        'An SSM parameter path under the orchestrator\'s prefix, never the secret itself.'),
      el('div', {class: 'button-row'},
        el('button', {type: 'submit', class: 'button button-primary', id: 'catalog-submit', text: editing ? 'Save' : 'Create'}),
        el('button', {type: 'button', class: 'button', text: 'Cancel', onclick: () => replace(editor)})),
      formProblem);
    form.addEventListener('submit', async event => {
      event.preventDefault();
      replace(formProblem);
      let body;
      try {
        body = {
          name: form.querySelector('#catalog-name').value.trim(),
          connectorName: form.querySelector('#catalog-connector').value.trim(),
          properties: parsePairs(form.querySelector('#catalog-properties').value, 'Properties'),
          secretProperties: parsePairs(form.querySelector('#catalog-secrets').value, 'Secret properties'),
        };
      } catch (error) {
        replace(formProblem, problemBox(new ApiError(0, {title: 'Not key=value', detail: error.message})));
        return;
      }
      const notReferences = Object.entries(body.secretProperties).filter(([, value]) => !value.startsWith('ssm:/'));
      if (notReferences.length) {
        showFieldErrors(form, notReferences.map(([key]) => ({field: `/secretProperties/${key}`, message: `${key}: write an SSM reference (ssm:/path), never the value.`})));
        return;
      }
      if (editing) {
        const lines = [`The definition of ${body.name} is replaced.`, usedBy.length
          ? `Every running cluster using it is restarted, its workers drained one at a time: ${usedBy.join(', ')}.`
          : 'No cluster uses it: nothing restarts.'];
        if (!await confirmAction(`Save catalog ${body.name}`, lines, 'Save')) return;
      }
      try {
        if (editing) {
          const result = await call('PUT', `/v1/catalogs/${name(body.name)}`, body);
          const restarts = (result.data.restarts || []).map(op => op.cluster);
          ctx.announce(`Catalog ${body.name} saved${restarts.length ? `; restarting ${restarts.join(', ')}` : ''}`);
        } else {
          await call('POST', '/v1/catalogs', body);
          ctx.announce(`Catalog ${body.name} created`);
        }
        replace(editor);
        refresh();
      } catch (error) {
        const unplaced = error instanceof ApiError ? showFieldErrors(form, error.fieldErrors()) : [];
        replace(formProblem, problemBox(error.problem ? new ApiError(error.status, {...error.problem, errors: unplaced}) : error));
      }
    });
    replace(editor, form);
    form.querySelector(editing ? '#catalog-connector' : '#catalog-name').focus();
  };

  ctx.poll(refresh, 15000);
}
