// A one-glance summary of the GPU in the header: opening, which adapter, or what failed.

import { useStore } from '../store/index.ts';

export function AdapterStatusBadge() {
  const adapter = useStore((s) => s.adapter);
  let tone = 'muted';
  let text = 'GPU not opened';
  if (adapter.status === 'loading') text = 'Opening GPU…';
  if (adapter.status === 'ready' && adapter.info) {
    const a = adapter.info.adapter;
    tone = 'ok';
    text = `${a.vendor || 'unknown vendor'} · ${a.architecture || 'unknown architecture'} · ${a.adapterClass.toUpperCase()}`;
  }
  if (adapter.status === 'unavailable') {
    tone = 'bad';
    text = 'WebGPU unavailable';
  }
  if (adapter.status === 'error') {
    tone = 'bad';
    text = 'GPU error';
  }
  return (
    <p className={`status-badge tone-${tone}`} role="status" aria-label={`GPU status: ${text}`}>
      <span className="dot" aria-hidden="true" />
      {text}
    </p>
  );
}
