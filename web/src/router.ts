// Client-side routes under /console/ (each deep link is answered by the server with the app).
import { signal } from './state';

export const BASE = '/console';
export const location = signal(window.location.pathname + window.location.search);
window.addEventListener('popstate', () => location.set(window.location.pathname + window.location.search));

// keepFocus: a step within the same screen (a pager button): the focus and the scroll stay where they are, and the
// screen announces the change itself; otherwise the new screen's content takes the focus (main.tsx).
let focusKept = false;
export function navigate(to: string, options: { keepFocus?: boolean } = {}) {
  focusKept = options.keepFocus === true;
  window.history.pushState(null, '', to);
  location.set(to);
  if (!focusKept) window.scrollTo(0, 0);
}
// Whether the last navigation keeps the focus (read once, by the App after it renders the route).
export function takeKeptFocus(): boolean {
  const kept = focusKept;
  focusKept = false;
  return kept;
}

// A link click handled in the app (modified clicks open a new tab as usual).
export function onLink(e: MouseEvent) {
  const a = (e.currentTarget as HTMLAnchorElement);
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href')!);
}

export interface Route { name: string; params: string[]; query: URLSearchParams; }
export function match(path: string): Route {
  const [p, q] = path.split('?');
  const query = new URLSearchParams(q ?? '');
  const parts = p.replace(/\/+$/, '').split('/').slice(2).map(decodeURIComponent);  // after /console
  const [a, ...rest] = parts;
  if (!a || a === 'due') return { name: 'due', params: [], query };
  if (a === 'cases' && rest.length === 1) return { name: 'case', params: rest, query };
  if (a === 'new') return { name: 'new', params: [], query };
  if (a === 'reports' && rest.length === 0) return { name: 'reportPick', params: [], query };
  if (a === 'reports' && rest.length === 2) return { name: 'report', params: rest, query };
  if (a === 'reports' && rest.length === 6 && rest[2] === 'cells') return { name: 'cell', params: rest, query };
  if (a === 'verify') return { name: 'verify', params: [], query };
  return { name: 'notFound', params: parts, query };
}
