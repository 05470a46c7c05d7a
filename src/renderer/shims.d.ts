/// <reference types="vite/client" />

// For plain tsc; vue-tsc reads the components themselves.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
