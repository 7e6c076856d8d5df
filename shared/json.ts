/** JSON from untrusted text: the parsed value, or undefined when the text is not JSON (never throws). */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
