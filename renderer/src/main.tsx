import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createGateClient } from './api/client.js';
import { App } from './app.js';
import { ErrorBoundary } from './error-boundary.js';
import { GateProvider } from './gate-context.js';
import { StaffPinProvider } from './staff-pin.js';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ErrorBoundary>
        <GateProvider client={createGateClient()}>
          <StaffPinProvider>
            <App />
          </StaffPinProvider>
        </GateProvider>
      </ErrorBoundary>
    </StrictMode>,
  );
}
