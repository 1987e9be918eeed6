// The console's calls to the broker's /api/ (documented in broker/README.md, "Web console").

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code || '';
  }
}

async function parse(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    throw new ApiError(response.status, `${response.status} ${response.statusText}: not JSON`);
  }
  if (!response.ok) {
    const error = body && body.error ? body.error : {};
    throw new ApiError(response.status, error.message || response.statusText, error.code);
  }
  return body;
}

function url(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') query.set(k, v);
  }
  const q = query.toString();
  return `/api/${path}${q ? '?' + q : ''}`;
}

export async function get(path, params) {
  let response;
  try {
    response = await fetch(url(path, params), {headers: {Accept: 'application/json'}});
  } catch (e) {
    throw new ApiError(0, `the broker did not answer (${e.message})`);
  }
  return parse(response);
}

// A state-changing action (needs choreod --http-console-actions). The header tells the broker the
// request comes from the console's own pages.
export async function post(path, params) {
  let response;
  try {
    response = await fetch(url(path, params), {
      method: 'POST',
      headers: {Accept: 'application/json', 'X-Choreo-Console': '1'},
    });
  } catch (e) {
    throw new ApiError(0, `the broker did not answer (${e.message})`);
  }
  return parse(response);
}
