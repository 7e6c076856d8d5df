/**
 * Barcode decoding for camera frames. The browser's own BarcodeDetector is used where it exists
 * (macOS, ChromeOS, Android builds of Chromium); elsewhere ZXing's pure-TypeScript decoder, which is
 * bundled into the app by Vite — no wasm, nothing fetched from a CDN, nothing the CSP must allow.
 */
import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  RGBLuminanceSource,
} from '@zxing/library';

export interface FrameDecoder {
  readonly engine: 'native' | 'zxing';
  /** The text of a barcode in the frame, or null when none is readable. */
  decode(frame: ImageData): Promise<string | null>;
}

const FORMATS = [
  BarcodeFormat.QR_CODE,
  BarcodeFormat.CODE_128,
  BarcodeFormat.CODE_39,
  BarcodeFormat.EAN_13,
  BarcodeFormat.ITF,
  BarcodeFormat.PDF_417,
  BarcodeFormat.DATA_MATRIX,
  BarcodeFormat.AZTEC,
];
const NATIVE_FORMATS = ['qr_code', 'code_128', 'code_39', 'ean_13', 'itf', 'pdf417', 'data_matrix', 'aztec'];

interface NativeDetector {
  detect(source: ImageData): Promise<{ rawValue: string }[]>;
}
type NativeDetectorClass = {
  new (options: { formats: string[] }): NativeDetector;
  getSupportedFormats(): Promise<string[]>;
};

/** RGBA → 8-bit luminance, green-weighted like ZXing's own conversion. */
export function luminance(frame: ImageData): Uint8ClampedArray {
  const { data, width, height } = frame;
  const out = new Uint8ClampedArray(width * height);
  for (let pixel = 0, byte = 0; pixel < out.length; pixel += 1, byte += 4) {
    out[pixel] = ((data[byte] ?? 0) + 2 * (data[byte + 1] ?? 0) + (data[byte + 2] ?? 0)) >> 2;
  }
  return out;
}

function zxingDecoder(): FrameDecoder {
  const reader = new MultiFormatReader();
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, FORMATS],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  reader.setHints(hints);
  return {
    engine: 'zxing',
    async decode(frame) {
      const source = new RGBLuminanceSource(luminance(frame), frame.width, frame.height);
      try {
        return reader.decodeWithState(new BinaryBitmap(new HybridBinarizer(source))).getText();
      } catch {
        // ZXing reports "no barcode in this frame" by throwing; that is the common case.
        return null;
      } finally {
        reader.reset();
      }
    },
  };
}

/** The native detector when the platform has one that reads our formats, else ZXing. */
export async function createFrameDecoder(preferNative = true): Promise<FrameDecoder> {
  const Native = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
  if (preferNative && Native) {
    try {
      const supported = await Native.getSupportedFormats();
      const formats = NATIVE_FORMATS.filter((format) => supported.includes(format));
      if (formats.length > 0) {
        const detector = new Native({ formats });
        return {
          engine: 'native',
          async decode(frame) {
            const [found] = await detector.detect(frame);
            return found?.rawValue ?? null;
          },
        };
      }
    } catch {
      // A detector that exists but cannot run (no platform service) falls through to ZXing.
    }
  }
  return zxingDecoder();
}
