import {
  objectCollectionPath,
  objectKinds,
  type PipelineObjectKind,
} from '@linkmesh/contracts/pipelines-api';
import { useSyncExternalStore } from 'react';

/**
 * A tiny History-API router: `navigate()` changes the URL, `usePathname()` re-renders on every
 * change (including back/forward). The server answers every non-API GET with index.html, so
 * any path can be loaded directly.
 */
const changeEvent = 'linkmesh:navigate';

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname + window.location.search) return;
  if (options.replace === true) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(changeEvent));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(changeEvent, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(changeEvent, onChange);
  };
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** The query string (`?q=…`, or ''), re-rendering on every change like {@link usePathname}. */
export function useSearch(): string {
  return useSyncExternalStore(subscribe, () => window.location.search);
}

/** The tabs of a collector's page; each has its own path. */
export type CollectorTab = 'overview' | 'topology' | 'components' | 'events' | 'config';

export type Route =
  | { page: 'login' }
  | { page: 'collectors' }
  | { page: 'collector'; id: string; tab: CollectorTab }
  /** The fleet canvas; `?group=` limits it to one collector group. */
  | { page: 'topology' }
  | { page: 'settings'; section: 'enrollment-tokens' }
  | { page: 'objects'; kind: PipelineObjectKind }
  /** `id: null` is the form for a new object. */
  | { page: 'object'; kind: PipelineObjectKind; id: string | null }
  | { page: 'redirect'; to: string }
  | { page: 'not-found' };

/**
 * Maps a pathname to a page.
 *
 * @example routeOf('/collectors/abc/events') // { page: 'collector', id: 'abc', tab: 'events' }
 */
export function routeOf(pathname: string): Route {
  let parts: string[];
  try {
    parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { page: 'not-found' }; // a malformed %-escape typed into the address bar
  }
  const [first, second, third] = parts;
  if (parts.length === 0) return { page: 'redirect', to: '/collectors' };
  if (first === 'login' && parts.length === 1) return { page: 'login' };
  if (first === 'collectors') {
    if (second === undefined) return { page: 'collectors' };
    if (parts.length === 2) return { page: 'collector', id: second, tab: 'overview' };
    if (parts.length === 3 && isCollectorTab(third) && third !== 'overview') {
      return { page: 'collector', id: second, tab: third };
    }
  }
  if (first === 'topology' && parts.length === 1) return { page: 'topology' };
  if (first === 'pipelines') {
    if (parts.length === 1) return { page: 'redirect', to: objectsPath('route') };
    const kind = objectKinds.find((k) => objectCollectionPath[k] === second);
    if (kind !== undefined && parts.length === 2) return { page: 'objects', kind };
    if (kind !== undefined && parts.length === 3 && third !== undefined) {
      return { page: 'object', kind, id: third === 'new' ? null : third };
    }
  }
  if (first === 'settings') {
    if (parts.length === 1) return { page: 'redirect', to: '/settings/enrollment-tokens' };
    if (parts.length === 2 && second === 'enrollment-tokens') return { page: 'settings', section: second };
  }
  return { page: 'not-found' };
}

const collectorTabs: readonly string[] = ['overview', 'topology', 'components', 'events', 'config'];
const isCollectorTab = (part: string | undefined): part is CollectorTab =>
  part !== undefined && collectorTabs.includes(part);

/** The path of a collector's page (and tab). */
export const collectorPath = (id: string, tab: CollectorTab = 'overview'): string =>
  `/collectors/${encodeURIComponent(id)}${tab === 'overview' ? '' : `/${tab}`}`;

/** The list page of a kind of pipeline object: `/pipelines/sources` … */
export const objectsPath = (kind: PipelineObjectKind): string => `/pipelines/${objectCollectionPath[kind]}`;

/** The editor of one object, or (`id` null) the form for a new one. */
export const objectPath = (kind: PipelineObjectKind, id: string | null): string =>
  `${objectsPath(kind)}/${id === null ? 'new' : encodeURIComponent(id)}`;

/** The permission resource of a kind (`sources:create` …): the same word as its path. */
export const objectCollectionPermission = (kind: PipelineObjectKind): string => objectCollectionPath[kind];
