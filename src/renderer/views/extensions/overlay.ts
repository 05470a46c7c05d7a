import { reactive } from 'vue';

/**
 * What the window shows above an extension's UI. In Electron the UI is a view of its own drawn over the
 * window, so the tab moves it out of the way: away entirely while a dialog is open, and up by the height
 * of the toasts at the bottom of the window.
 */
export const overlay = reactive({ dialogs: 0, toastHeight: 0 });
