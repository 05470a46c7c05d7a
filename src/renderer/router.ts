import { createRouter, createWebHashHistory } from 'vue-router';
import { sections } from './sections';

// Hash history: the same URLs work from berth://app in Electron and from `berth serve` in a browser.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: sections[0]!.path },
    ...sections.map((section) => ({ path: section.path, name: section.label, component: section.view })),
    // Under Containers in the sidebar; ?image=NAME fills the Image field (as the Images view links to it).
    { path: '/containers/run', name: 'Run', component: () => import('./views/containers/RunPage.vue') },
    { path: '/containers/:id/:tab?', name: 'Container', component: () => import('./views/containers/ContainerDetails.vue'), props: true },
    // An extension's route param is handed over as `extensionKey`: `key` is Vue's own.
    { path: '/extensions/:key', name: 'Extension', component: () => import('./views/extensions/ExtensionDetails.vue'), props: (route) => ({ extensionKey: route.params.key }) },
    { path: '/extensions/:key/tab', name: 'Extension tab', component: () => import('./views/extensions/ExtensionTab.vue'), props: (route) => ({ extensionKey: route.params.key }) },
    { path: '/:rest(.*)*', redirect: sections[0]!.path },
  ],
});
