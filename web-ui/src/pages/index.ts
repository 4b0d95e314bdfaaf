// The page registry: one entry per top-level page, in menu order. A page may handle its own sub-paths
// (e.g. /campaigns/new, /campaigns/:id) with useRoute(); `path` matches itself and everything below it.
import type { ComponentType } from 'preact';
import type { Role } from '../api.ts';
import type { ShellKey } from '../messages.ts';
import Campaigns from './campaigns/index.tsx';
import Compliance from './compliance/index.tsx';
import Dashboard from './dashboard/index.tsx';
import Lists from './lists/index.tsx';
import Recordings from './recordings/index.tsx';
import Reports from './reports/index.tsx';
import Settings from './settings/index.tsx';

export interface PageEntry {
  path: string;
  navKey: ShellKey;
  component: ComponentType;
  minRole: Role;
}

export const PAGES: PageEntry[] = [
  { path: '/', navKey: 'nav.dashboard', component: Dashboard, minRole: 'viewer' },
  { path: '/lists', navKey: 'nav.lists', component: Lists, minRole: 'viewer' },
  { path: '/recordings', navKey: 'nav.recordings', component: Recordings, minRole: 'viewer' },
  { path: '/campaigns', navKey: 'nav.campaigns', component: Campaigns, minRole: 'viewer' },
  { path: '/reports', navKey: 'nav.reports', component: Reports, minRole: 'viewer' },
  { path: '/compliance', navKey: 'nav.compliance', component: Compliance, minRole: 'viewer' },
  { path: '/settings', navKey: 'nav.settings', component: Settings, minRole: 'admin' },
];

/** The page for a path: "/" only for itself, the others for themselves and their sub-paths. */
export function pageFor(path: string): PageEntry | undefined {
  return PAGES.find((p) => (p.path === '/' ? path === '/' || path === '/dashboard' : path === p.path || path.startsWith(`${p.path}/`)));
}
