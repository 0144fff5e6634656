// Tabs over the stage's views (ARIA tabs: arrow keys move between them).

import type { KeyboardEvent } from 'react';
import { useStore, type StageView } from '../store/index.ts';

const VIEWS: Array<{ id: StageView; label: string }> = [
  { id: 'overview', label: 'Overview' },
  { id: 'model', label: 'Model' },
  { id: 'generate', label: 'Generate' },
  { id: 'images', label: 'Images' },
  { id: 'attention-lab', label: 'Attention lab' },
  { id: 'cache', label: 'Cache' },
  { id: 'selftest', label: 'Self-test' },
];

export function StageTabs() {
  const view = useStore((s) => s.ui.view);
  const showView = useStore((s) => s.showView);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = VIEWS.findIndex((v) => v.id === view);
    const next = VIEWS[(i + (e.key === 'ArrowRight' ? 1 : VIEWS.length - 1)) % VIEWS.length];
    showView(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  return (
    <div className="tabs" role="tablist" aria-label="Views" onKeyDown={onKeyDown}>
      {VIEWS.map((v) => (
        <button
          key={v.id}
          id={`tab-${v.id}`}
          type="button"
          role="tab"
          aria-selected={v.id === view}
          aria-controls={v.id === view ? `view-${v.id}` : undefined}
          tabIndex={v.id === view ? 0 : -1}
          className="tab"
          onClick={() => showView(v.id)}
        >
          {v.label}
        </button>
      ))}
    </div>
  );
}
