/// <reference types="vite-plugin-pwa/vanillajs" />
// The page's entry: mounts the React app and registers the service worker that makes the app work
// offline (vite.config.ts says what it precaches). Everything GPU-related happens in the engine's
// worker, started by the store on first use.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerSW } from 'virtual:pwa-register';
import { updateActivated, updateReady } from './store/update.ts';
import { App } from './ui/App.tsx';
import { ErrorBoundary } from './ui/ErrorBoundary.tsx';
import './ui/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <ErrorBoundary>
      <App />
    </ErrorBoundary>
  </StrictMode>,
);

// Built app only: the dev server has no service worker. A new build installs in the background and
// waits ("update ready — reload" in the header); the page reloads only when the person clicks, and
// never under a run (see store/update.ts). The app keeps working if registration fails.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  const activate = registerSW({
    immediate: true,
    onNeedRefresh: () => updateReady(() => activate(true)),
    onNeedReload: () => updateActivated(() => window.location.reload()),
    onRegisterError: (e: unknown) => console.warn('Stepwise: the offline service worker could not be registered', e),
  });
}
