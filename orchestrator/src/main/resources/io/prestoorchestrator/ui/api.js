// The public REST API, with the bearer token kept in sessionStorage only (gone when the tab closes).
// Every failure arrives as RFC 9457 problem+json; ApiError carries it for the page to show.

const TOKEN = 'presto-orchestrator.console.token';
const ROLE = 'presto-orchestrator.console.role';
const PRINCIPAL = 'presto-orchestrator.console.principal';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {status, title: `HTTP ${status}`};
  }

  /** Field errors by JSON pointer ("/workers/count"), from the problem's errors list. */
  fieldErrors() {
    return (this.problem.errors || []).map(error => ({field: error.field || '/', message: error.message || ''}));
  }
}

export const session = {
  token: () => sessionStorage.getItem(TOKEN),
  role: () => sessionStorage.getItem(ROLE) || 'viewer',
  principal: () => sessionStorage.getItem(PRINCIPAL) || '',
  isAdmin: () => sessionStorage.getItem(ROLE) === 'admin',
  setRole: role => sessionStorage.setItem(ROLE, role),
  clear() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(ROLE);
    sessionStorage.removeItem(PRINCIPAL);
  },
};

const listeners = {unauthorized: [], forbidden: []};
export function on(event, listener) {
  listeners[event].push(listener);
}

export async function call(method, path, body, token = session.token()) {
  const headers = {Accept: 'application/json, application/problem+json'};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', redirect: 'error',
    });
  } catch (failure) {
    throw new ApiError(0, {title: 'No answer', status: 0, detail: `The orchestrator did not answer (${failure.message})`});
  }
  const text = response.status === 204 ? '' : await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const problem = data && typeof data === 'object' ? data : {status: response.status, title: response.statusText, detail: String(data || '')};
    const error = new ApiError(response.status, problem);
    if (response.status === 401 && token === session.token()) listeners.unauthorized.forEach(listener => listener(error));
    if (response.status === 403) listeners.forbidden.forEach(listener => listener(error));
    throw error;
  }
  return {status: response.status, data, location: response.headers.get('Location')};
}

export const get = path => call('GET', path).then(result => result.data);

/**
 * Checks a token and learns its role. GET /v1/info names the token's holder but not its role, so the
 * role is read from the one admin-only read, GET /v1/config: 200 is an admin, 403 a viewer. Its body
 * (the effective configuration, secrets masked) is not kept. A 403 on any later action also turns
 * the page to the viewer's.
 */
export async function login(token) {
  const info = await call('GET', '/v1/info', undefined, token);
  let role = 'viewer';
  try {
    await call('GET', '/v1/config', undefined, token);
    role = 'admin';
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
  }
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(ROLE, role);
  sessionStorage.setItem(PRINCIPAL, info.data.principal || '');
  return {principal: info.data.principal, role, info: info.data};
}

export const name = value => encodeURIComponent(value);
