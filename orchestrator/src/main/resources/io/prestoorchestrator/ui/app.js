// The console's shell: hash routes, the header, the polls (paused while the tab is hidden) and the
// live region that announces what an action did.

import {on, session} from './api.js';
import {el, replace} from './format.js';
import {catalogsView, clusterView, clustersView, createView, loginView} from './views.js';

const main = document.getElementById('main');
const status = document.getElementById('status');
const user = document.getElementById('user');
const nav = document.getElementById('nav');

let polls = [];
let generation = 0;

function stopPolls() {
  polls.forEach(poll => clearTimeout(poll.timer));
  polls = [];
}

/** Runs fn now and then every ms while this page is shown and the tab visible; fn returning 'stop' ends it. */
function poll(fn, ms) {
  const mine = generation;
  const entry = {fn, ms, timer: null, running: false};
  const run = async () => {
    if (mine !== generation || entry.running) return;
    clearTimeout(entry.timer);
    if (document.hidden) return;
    entry.running = true;
    let result;
    try {
      result = await fn();
    } finally {
      entry.running = false;
    }
    if (mine === generation && result !== 'stop' && !document.hidden) entry.timer = setTimeout(run, ms);
  };
  entry.run = run;
  polls.push(entry);
  run();
}

document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    polls.forEach(entry => clearTimeout(entry.timer));
  } else {
    polls.forEach(entry => entry.run());
  }
});

const ctx = {
  poll,
  announce(message) {
    status.textContent = message;
  },
  navigate(hash) {
    if (location.hash === hash) route(); else location.hash = hash;
  },
  refresh() {
    polls.forEach(entry => entry.run());
  },
  loggedIn() {
    drawHeader();
  },
};

function drawHeader() {
  if (!session.token()) {
    replace(user);
    nav.hidden = true;
    return;
  }
  nav.hidden = false;
  // a viewer cannot create: the link would only lead to a page that says so
  nav.querySelector('a[href="#/create"]').hidden = !session.isAdmin();
  const logout = el('button', {type: 'button', class: 'button', id: 'logout', text: 'Log out'});
  logout.addEventListener('click', () => {
    session.clear();
    ctx.announce('Logged out');
    ctx.navigate('#/login');
  });
  replace(user, el('span', {id: 'principal'}, session.principal()), ' ',
    el('span', {id: 'role', class: ['badge', session.isAdmin() ? 'badge-busy' : 'badge-neutral']}, session.role()), ' ', logout);
}

function markCurrent(hash) {
  nav.querySelectorAll('a').forEach(link => {
    const current = hash === link.getAttribute('href') || (link.getAttribute('href') === '#/clusters' && hash.startsWith('#/clusters/'));
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  });
}

async function route() {
  generation++;
  stopPolls();
  const hash = location.hash || '#/clusters';
  drawHeader();
  markCurrent(hash);
  if (!session.token()) {
    document.title = 'Log in · presto-orchestrator';
    loginView(main, ctx, hash === '#/login' ? null : 'Log in to see the clusters.');
    return;
  }
  const cluster = hash.match(/^#\/clusters\/([^/]+)$/);
  if (cluster) {
    const name = decodeURIComponent(cluster[1]);
    document.title = `${name} · presto-orchestrator`;
    clusterView(main, ctx, name);
  } else if (hash === '#/create') {
    document.title = 'New cluster · presto-orchestrator';
    await createView(main, ctx);
  } else if (hash === '#/catalogs') {
    document.title = 'Catalogs · presto-orchestrator';
    catalogsView(main, ctx);
  } else if (hash === '#/login') {
    loginView(main, ctx);
  } else {
    document.title = 'Clusters · presto-orchestrator';
    clustersView(main, ctx);
  }
  main.focus({preventScroll: true});
}

// a token that stopped being valid (rotated, or the orchestrator's tokens changed): back to the login form
on('unauthorized', () => {
  session.clear();
  generation++;
  stopPolls();
  drawHeader();
  loginView(main, ctx, 'The token was refused (401): log in again.');
});
// the API says this token may not act: show the viewer's page from now on
on('forbidden', () => {
  if (session.isAdmin()) {
    session.setRole('viewer');
    drawHeader();
  }
});

window.addEventListener('hashchange', route);
route();
