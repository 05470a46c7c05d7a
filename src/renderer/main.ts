import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { startBridge } from './bridge';
import { router } from './router';
import { sections } from './sections';
import './theme.css';

startBridge();
createApp(App).use(createPinia()).use(router).mount('#app');

// Each section's code loads once the window is idle: opening a section then waits for its data only.
const prefetch = (): void => sections.forEach((section) => void section.view().catch(() => undefined));
if (typeof requestIdleCallback === 'function') requestIdleCallback(prefetch, { timeout: 2000 });
else setTimeout(prefetch, 500);
