/**
 * Test page for the camera scanner (built by renderer/camera/camera-scanner.test.ts, not shipped):
 * `?enabled=1` turns the scanner on; scans and states are exposed on `window` for the test.
 */
import { createRoot } from 'react-dom/client';
import { CameraScanner, type CameraState } from '../camera-scanner.js';

const probe = window as unknown as { scans: string[]; states: CameraState[] };
probe.scans = [];
probe.states = [];
const isEnabled = new URLSearchParams(location.search).get('enabled') === '1';
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <CameraScanner
      isEnabled={isEnabled}
      onScan={(barcode) => probe.scans.push(barcode)}
      onStateChange={(state) => probe.states.push(state)}
    />,
  );
}
