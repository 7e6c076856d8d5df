/**
 * A camera barcode scanner as one React component. Off unless `isEnabled`; when on it asks for the
 * (rear, where there is one) camera, samples a frame every `intervalMs`, and calls `onScan` once per
 * barcode — the same barcode held in view is not re-sent until it has been out of view for
 * `repeatAfterMs`. It stops the camera when disabled or unmounted. Scans should go to the gate API
 * exactly like keyboard scans; this component knows nothing about the API.
 */
import { useEffect, useRef, useState } from 'react';
import type { FrameDecoder } from './decode.js';

export type CameraState = 'off' | 'starting' | 'scanning' | 'no-camera' | 'denied' | 'error';

export interface CameraScannerProps {
  isEnabled: boolean;
  onScan: (barcode: string) => void;
  intervalMs?: number;
  repeatAfterMs?: number;
  onStateChange?: (state: CameraState) => void;
}

const LABELS: Record<CameraState, string> = {
  off: 'Camera off',
  starting: 'Starting camera…',
  scanning: 'Hold the barcode in view',
  'no-camera': 'No camera found',
  denied: 'Camera permission denied',
  error: 'Camera failed',
};

function stateFor(error: unknown): CameraState {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'no-camera';
  return 'error';
}

export function CameraScanner({
  isEnabled,
  onScan,
  intervalMs = 150,
  repeatAfterMs = 1500,
  onStateChange,
}: CameraScannerProps) {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<CameraState>('off');
  // Kept in refs so a parent re-render does not restart the camera.
  const handlers = useRef({ onScan, onStateChange });
  handlers.current = { onScan, onStateChange };

  useEffect(() => {
    const report = (next: CameraState) => {
      setState(next);
      handlers.current.onStateChange?.(next);
    };
    if (!isEnabled) {
      report('off');
      return;
    }
    let isActive = true;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: { text: string; seenAt: number } | null = null;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });

    const sample = async (decoder: FrameDecoder) => {
      const element = video.current;
      if (!isActive || !element || !context) return;
      if (element.readyState >= element.HAVE_CURRENT_DATA && element.videoWidth > 0) {
        canvas.width = element.videoWidth;
        canvas.height = element.videoHeight;
        context.drawImage(element, 0, 0);
        const text = await decoder.decode(context.getImageData(0, 0, canvas.width, canvas.height));
        const now = performance.now();
        if (text && isActive) {
          const isRepeat = last !== null && last.text === text && now - last.seenAt < repeatAfterMs;
          last = { text, seenAt: now };
          if (!isRepeat) handlers.current.onScan(text);
        }
      }
      if (isActive) timer = setTimeout(() => void sample(decoder), intervalMs);
    };

    report('starting');
    void (async () => {
      try {
        if (!navigator.mediaDevices?.getUserMedia) return report('no-camera');
        // The decoder is a separate chunk: the app does not load it until the camera is switched on.
        const [decoder, opened] = await Promise.all([
          import('./decode.js').then((module) => module.createFrameDecoder()),
          navigator.mediaDevices.getUserMedia({
            video: { facingMode: { ideal: 'environment' } },
            audio: false,
          }),
        ]);
        stream = opened;
        if (!isActive) return;
        const element = video.current;
        if (!element) return;
        element.srcObject = stream;
        await element.play();
        report('scanning');
        void sample(decoder);
      } catch (error) {
        if (isActive) report(stateFor(error));
      }
    })();

    return () => {
      isActive = false;
      clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
      if (video.current) video.current.srcObject = null;
    };
  }, [isEnabled, intervalMs, repeatAfterMs]);

  if (!isEnabled) return null;
  return (
    <figure className="camera-scanner" data-state={state}>
      <video ref={video} muted playsInline aria-label="Camera view for scanning" />
      <figcaption role="status">{LABELS[state]}</figcaption>
    </figure>
  );
}

/** Whether this device has a camera at all, to decide whether to offer the setting. */
export async function hasCamera(): Promise<boolean> {
  const devices = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  return devices.some((device) => device.kind === 'videoinput');
}
