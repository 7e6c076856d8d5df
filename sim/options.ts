/** Parsing of the simulator's human-friendly flag values. */

/** `0.05`, `5%` → 0.05; anything outside [0, 1] or not a number → null. */
export function parseProbability(text: string): number | null {
  const trimmed = text.trim();
  const isPercent = trimmed.endsWith('%');
  const number = Number(isPercent ? trimmed.slice(0, -1) : trimmed);
  if (trimmed === '' || trimmed === '%' || !Number.isFinite(number)) return null;
  const value = isPercent ? number / 100 : number;
  return value >= 0 && value <= 1 ? value : null;
}

/** `20`, `20/s`, `0.5/s` → deliveries per second; 0 means unthrottled. Negative or junk → null. */
export function parseRate(text: string): number | null {
  const trimmed = text.trim().replace(/\/s$/, '');
  const number = Number(trimmed);
  return trimmed !== '' && Number.isFinite(number) && number >= 0 ? number : null;
}
