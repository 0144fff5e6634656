// "Offline" in the header while the browser has no network: the app keeps working from its service
// worker, and cached models still load.

import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('online', onChange);
  window.addEventListener('offline', onChange);
  return () => {
    window.removeEventListener('online', onChange);
    window.removeEventListener('offline', onChange);
  };
}

export function OfflineBadge() {
  const online = useSyncExternalStore(
    subscribe,
    () => navigator.onLine,
    () => true,
  );
  if (online) return null;
  return (
    <p className="status-badge tone-warn" role="status" title="No network: cached models still load">
      <span className="dot" aria-hidden="true" />
      Offline
    </p>
  );
}
