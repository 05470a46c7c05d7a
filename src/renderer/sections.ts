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
  { path: '/images', label: 'Images', icon: 'M4 4h16v16H4zM4 15l4-4 4 4 3-3 5 5M15 8.5a1.5 1.5 0 1 0 0 .01', view: () => import('./views/images/ImagesPage.vue') },
  { path: '/volumes', label: 'Volumes', icon: 'M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3v12c0 1.7-3.6 3-8 3s-8-1.3-8-3zm0 0c0 1.7 3.6 3 8 3s8-1.3 8-3M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3', view: () => import('./views/volumes/VolumesPage.vue') },
  { path: '/networks', label: 'Networks', icon: 'M9 3h6v5H9zM12 8v4M5 16v-4h14v4M3 16h4v5H3zm14 0h4v5h-4z', view: () => import('./views/networks/NetworksPage.vue') },
  { path: '/plugins', label: 'Plugins', icon: 'M9 3v5M15 3v5M6 8h12v4a6 6 0 0 1-12 0zM12 18v3', view: () => import('./views/plugins/PluginsPage.vue') },
  { path: '/registries', label: 'Registries', icon: 'M8 11a4 4 0 1 0 .01 0zM10.8 12.2L20 3m-3 3l3 3m-5.5-.5l2 2', view: () => import('./views/registries/RegistriesPage.vue') },
  { path: '/extensions', label: 'Extensions', icon: 'M4 4h7v7H4zM13 13h7v7h-7zM4 13h7v7H4zM16.5 3.5v7M13 7h7', view: () => import('./views/extensions/ExtensionsPage.vue') },
  { path: '/disk-usage', label: 'Disk usage', icon: 'M12 3a9 9 0 1 0 9 9h-9zM15 3.5A9 9 0 0 1 20.5 9H15z', view: () => import('./views/diskUsage/DiskUsagePage.vue') },
  { path: '/engine', label: 'Engine', icon: 'M4 7h16v10H4zM8 7V4h8v3M7 11h2m2 0h2m2 0h2', view: () => import('./views/engine/EnginePage.vue') },
  { path: '/settings', label: 'Settings', icon: 'M12 9a3 3 0 1 0 .01 0zM19.4 13a7.5 7.5 0 0 0 0-2l2-1.6-2-3.4-2.4 1a7.5 7.5 0 0 0-1.7-1L15 3.5h-4l-.4 2.5a7.5 7.5 0 0 0-1.7 1l-2.4-1-2 3.4 2 1.6a7.5 7.5 0 0 0 0 2l-2 1.6 2 3.4 2.4-1a7.5 7.5 0 0 0 1.7 1l.4 2.5h4l.4-2.5a7.5 7.5 0 0 0 1.7-1l2.4 1 2-3.4z', view: () => import('./views/settings/SettingsPage.vue') },
  { path: '/troubleshoot', label: 'Troubleshoot', icon: 'M12 3a9 9 0 1 0 .01 0zM12 8a4 4 0 1 0 .01 0zM5.6 5.6l3.6 3.6m5.6 5.6l3.6 3.6m0-12.8l-3.6 3.6m-5.6 5.6l-3.6 3.6', view: () => import('./views/troubleshoot/TroubleshootPage.vue') },
];
