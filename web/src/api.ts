// The console's only way to the server: the public HTTP/JSON API (docs/SERVE.md), authenticated by the session
// cookie (HttpOnly, so script never sees it) and, for writes, the session's CSRF token held in memory only.
import { signal } from './state';

export interface Session { name: string; agencyId: string; rollup: boolean; scopes: string[]; csrf: string; }
export const session = signal<Session | null | undefined>(undefined);  // undefined: not known yet

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) { super(message); }
}

async function call(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = contentType;
  const s = session.get();
  if (method !== 'GET' && s) headers['X-CSRF-Token'] = s.csrf;
  const response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  if (!response.ok) {
    let code = String(response.status), message = response.statusText;
    try {
      const j = await response.json();
      code = j.error?.code ?? code;
      message = j.error?.message ?? message;
    } catch { /* not JSON */ }
    if (response.status === 401 && !path.startsWith('/console/api/session')) session.set(null);
    throw new ApiError(response.status, code, message);
  }
  return response;
}

export async function getJson<T = any>(path: string): Promise<T> {
  return (await call('GET', path)).json();
}
// The whole answer, for its headers (the document's X-Ogi-Warnings) and body.
export async function getResponse(path: string): Promise<Response> {
  return call('GET', path);
}
export async function getText(path: string): Promise<string> {
  return (await call('GET', path)).text();
}
export async function postJson<T = any>(path: string, body?: unknown): Promise<T> {
  return (await call('POST', path, body === undefined ? undefined : JSON.stringify(body))).json();
}

export async function loadSession() {
  try {
    session.set(await getJson<Session>('/console/api/session'));
  } catch {
    session.set(null);
  }
}
export async function signIn(token: string) {
  session.set(await postJson<Session>('/console/api/session', { token }));
}
export async function signOut() {
  try { await call('POST', '/console/api/session/end'); } catch { /* ended already */ }
  session.set(null);
}

export const enc = encodeURIComponent;
