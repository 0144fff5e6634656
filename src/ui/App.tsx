// The page: a header, the model area on the left, the stage in the middle (one view at a time)
// and the inspector on the right (adapter and timings). Without WebGPU the whole body explains what
// to do instead.

import { useEffect } from 'react';
import { loadAdapter, useStore } from '../store/index.ts';
import { AdapterPanel } from './AdapterPanel.tsx';
import { AdapterStatusBadge } from './AdapterStatusBadge.tsx';
import { ModelPanel } from './ModelPanel.tsx';
import { Overview } from './Overview.tsx';
import { SelftestPanel } from './SelftestPanel.tsx';
import { StageTabs } from './StageTabs.tsx';
import { TimingsPanel } from './TimingsPanel.tsx';
import { WebGpuUnavailable } from './WebGpuUnavailable.tsx';

export function App() {
  const status = useStore((s) => s.adapter.status);
  const view = useStore((s) => s.ui.view);

  useEffect(() => {
    void loadAdapter();
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <h1>Stepwise</h1>
          <span className="tagline">generative models, one step at a time, on your GPU</span>
        </div>
        <AdapterStatusBadge />
      </header>

      {status === 'unavailable' ? (
        <main className="app-unavailable">
          <WebGpuUnavailable />
        </main>
      ) : (
        <div className="app-body">
          <aside className="app-models" aria-label="Models">
            <ModelPanel />
          </aside>
          <main className="app-stage">
            <StageTabs />
            <div className="stage-view" role="tabpanel" id={`view-${view}`} aria-labelledby={`tab-${view}`}>
              {view === 'overview' ? <Overview /> : <SelftestPanel />}
            </div>
          </main>
          <aside className="app-inspector" aria-label="Inspector">
            <AdapterPanel />
            <TimingsPanel />
          </aside>
        </div>
      )}
    </div>
  );
}
