/**
 * The last line of defence: a screen that throws while rendering would otherwise leave a blank,
 * full-screen kiosk. This shows "Something went wrong — Reload" with the error instead; Reload
 * (focused, so Enter from a keyboard-wedge scanner works too) starts the UI afresh. The gate engine
 * is not affected: it runs on, recording nothing it was not asked to.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { createLogger } from '../../shared/logger.js';

const log = createLogger('renderer.crash');

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    log.error('the screen failed to draw', { error: error.message, where: info.componentStack ?? '' });
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <main className="screen crash-screen" role="alert" data-testid="crash-screen">
        <h1>
          Something went wrong —{' '}
          <button type="button" className="primary" autoFocus onClick={() => window.location.reload()}>
            Reload
          </button>
        </h1>
        <p>
          The gate keeps its list and its scans. Reload to carry on; if this comes back, export diagnostics in
          Settings.
        </p>
        <pre className="crash-error" data-testid="crash-error">
          {error.name}: {error.message}
        </pre>
      </main>
    );
  }
}
