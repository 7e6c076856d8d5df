/**
 * Loaded with `node --import` into a benchmarked child process: on exit it writes the process's peak
 * resident set size (kB, from getrusage) to the file named by GATEHOUSE_PEAK_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const path = process.env.GATEHOUSE_PEAK_RSS_FILE;
  if (path) writeFileSync(path, String(process.resourceUsage().maxRSS));
});
