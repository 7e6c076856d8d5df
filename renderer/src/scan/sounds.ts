/**
 * Admit, deny and attention sounds, generated locally with Web Audio (no files to ship or load).
 * Distinct in pitch and rhythm so staff can tell them apart without looking.
 */
export type Tone = 'admit' | 'deny' | 'attention';

interface Note {
  frequency: number;
  start: number;
  duration: number;
  wave: OscillatorType;
}

const PATTERNS: Record<Tone, Note[]> = {
  // Two rising notes: bright and short.
  admit: [
    { frequency: 880, start: 0, duration: 0.09, wave: 'sine' },
    { frequency: 1320, start: 0.1, duration: 0.12, wave: 'sine' },
  ],
  // One long low buzz.
  deny: [{ frequency: 180, start: 0, duration: 0.45, wave: 'square' }],
  // Three quick mid beeps.
  attention: [0, 0.15, 0.3].map((start) => ({
    frequency: 620,
    start,
    duration: 0.1,
    wave: 'triangle' as const,
  })),
};

let context: AudioContext | null = null;

export function playTone(tone: Tone): void {
  try {
    context ??= new AudioContext();
    const audio = context;
    if (audio.state === 'suspended') void audio.resume();
    for (const note of PATTERNS[tone]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      const start = audio.currentTime + note.start;
      oscillator.type = note.wave;
      oscillator.frequency.value = note.frequency;
      gain.gain.setValueAtTime(0.25, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + note.duration);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + note.duration + 0.02);
    }
  } catch {
    // No audio device: the screen still says everything.
  }
}
