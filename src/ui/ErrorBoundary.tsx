// The last line of defence: a rendering bug shows a message with a way out, not a blank page.

import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
}

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('Stepwise: the page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <main className="app-unavailable">
        <section className="unavailable" role="alert">
          <h2>Something went wrong on this page</h2>
          <p>Stepwise hit an error it did not expect. Reloading the page usually helps; your cached models are kept.</p>
          <pre className="mono error-pre">{error.message}</pre>
          <button type="button" className="primary" onClick={() => location.reload()}>
            Reload the page
          </button>
        </section>
      </main>
    );
  }
}
