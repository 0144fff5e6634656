// "Update ready — reload" in the header once a new version of the app is installed. The button stays
// disabled while a run steps or a model loads, saying why: a reload would lose them.

import { useStore } from '../store/index.ts';
import { applyUpdate, reloadWouldInterrupt, useUpdate } from '../store/update.ts';

export function UpdateBadge() {
  const ready = useUpdate((u) => u.ready);
  const busy = useStore(reloadWouldInterrupt);
  if (!ready) return null;
  return (
    <p className="status-badge tone-update" role="status">
      <span className="dot" aria-hidden="true" />
      Update ready —
      <button
        type="button"
        className="link-button"
        onClick={() => void applyUpdate()}
        disabled={busy !== null}
        title={busy ? `Reload once it is done: ${busy}` : 'Reload the page with the new version'}
      >
        {busy ? 'reload when done' : 'reload'}
      </button>
    </p>
  );
}
