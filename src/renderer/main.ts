import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { startBridge } from './bridge';
import { router } from './router';
import './theme.css';

startBridge();
createApp(App).use(createPinia()).use(router).mount('#app');
