// The page: a header, the model area on the left, the stage in the middle (one view at a time)
// and the inspector on the right (adapter and timings). Without WebGPU the whole body explains what
// to do instead.

import { useEffect, type ReactNode } from 'react';
import { loadAdapter, useStore, type StageView } from '../store/index.ts';
import { AdapterPanel } from './AdapterPanel.tsx';
import { AdapterStatusBadge } from './AdapterStatusBadge.tsx';
import { AttentionLab } from './AttentionLab.tsx';
import { CachePanel } from './CachePanel.tsx';
import { FileDropTarget } from './FileDropTarget.tsx';
import { GenerateView } from './GenerateView.tsx';
import { ImageView } from './ImageView.tsx';
import { ModelInspector } from './ModelInspector.tsx';
import { ModelPanel } from './ModelPanel.tsx';
import { OfflineBadge } from './OfflineBadge.tsx';
import { Overview } from './Overview.tsx';
import { SelftestPanel } from './SelftestPanel.tsx';
import { StageTabs } from './StageTabs.tsx';
import { TimingsPanel } from './TimingsPanel.tsx';
import { UpdateBadge } from './UpdateBadge.tsx';
import { WebGpuUnavailable } from './WebGpuUnavailable.tsx';

const STAGE_VIEWS: Record<StageView, () => ReactNode> = {
  overview: () => <Overview />,
  model: () => <ModelInspector />,
  generate: () => <GenerateView />,
  cache: () => <CachePanel />,
  selftest: () => <SelftestPanel />,
  'attention-lab': () => <AttentionLab />,
  images: () => <ImageView />,
};

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
        <div className="header-status">
          <UpdateBadge />
          <OfflineBadge />
          <AdapterStatusBadge />
        </div>
      </header>

      {status === 'unavailable' ? (
        <main className="app-unavailable">
          <WebGpuUnavailable />
        </main>
      ) : (
        <div className="app-body">
          <FileDropTarget />
          <aside className="app-models" aria-label="Models">
            <ModelPanel />
          </aside>
          <main className="app-stage">
            <StageTabs />
            <div className="stage-view" role="tabpanel" id={`view-${view}`} aria-labelledby={`tab-${view}`}>
              {STAGE_VIEWS[view]()}
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
