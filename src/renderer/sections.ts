import type { Component } from 'vue';

export interface Section {
  path: string;
  label: string;
  /** An SVG path on a 24×24 grid. */
  icon: string;
  view: () => Promise<Component>;
}

/** The sidebar, in order; each line is one section and its route. */
export const sections: Section[] = [
  { path: '/containers', label: 'Containers', icon: 'M3 8l9-4 9 4-9 4-9-4zm0 4l9 4 9-4M3 16l9 4 9-4', view: () => import('./views/containers/ContainersPage.vue') },
  { path: '/volumes', label: 'Volumes', icon: 'M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3v12c0 1.7-3.6 3-8 3s-8-1.3-8-3zm0 0c0 1.7 3.6 3 8 3s8-1.3 8-3M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3', view: () => import('./views/volumes/VolumesPage.vue') },
  { path: '/engine', label: 'Engine', icon: 'M4 7h16v10H4zM8 7V4h8v3M7 11h2m2 0h2m2 0h2', view: () => import('./views/engine/EnginePage.vue') },
];
