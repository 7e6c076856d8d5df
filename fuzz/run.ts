/**
 * The fuzz runner: each target starts its real process(es) once, then runs numbered cases, each
 * generated from (seed, index) so any case can be made again. A case fails when the system under
 * test crashes (its process died), hangs (no answer within the deadline) or answers with an
 * undocumented 5xx; after every batch and at the end the target must still be healthy. Failing
 * cases are kept with the exact input sent, to be replayed as regressions.
 */
import { createRandom, type Random } from '../sim/random.js';

export type TargetName = 'gate-api' | 'gate-frames' | 'relay-frames' | 'webhooks';
export const TARGET_NAMES: readonly TargetName[] = ['gate-api', 'gate-frames', 'relay-frames', 'webhooks'];

/** What one case sends: an HTTP request, or websocket text frames. */
export type CaseInput =
  | {
      kind: 'http';
      method: string;
      path: string;
      headers: Record<string, string>;
      body: string;
      /** A Content-Length larger than the body: a client that stalls mid-body. */
      declaredLength?: number;
    }
  | { kind: 'frames'; frames: string[] };

export interface Finding {
  target: TargetName;
  seed: string;
  index: number;
  input: CaseInput;
  /**
   * The cases run just before (oldest first): a crash or hang can show up a case after the one that
   * caused it (a timer, another request in flight), so a replay runs these first.
   */
  before: CaseInput[];
  /** What went wrong: `crash: …`, `hang: …`, `5xx: …`, `unhealthy: …`. */
  problem: string;
}

export interface TargetSession {
  generate(random: Random, index: number): CaseInput;
  /** Runs one case; null when the system under test behaved. */
  run(input: CaseInput): Promise<string | null>;
  /** Null when the system under test is alive and answers its health check. */
  health(): Promise<string | null>;
  /** Starts the process again after a crash, so the run can go on. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface FuzzTarget {
  name: TargetName;
  /** Cases run at once (HTTP targets overlap requests; a frame stream is one conversation). */
  concurrency: number;
  start(): Promise<TargetSession>;
}

export interface TargetReport {
  target: TargetName;
  seed: string;
  cases: number;
  findings: Finding[];
  crashes: number;
  hangs: number;
  seconds: number;
}

const HEALTH_EVERY = 500;
/** Cases kept as the `before` of a finding. */
const WINDOW = 8;

/** Resolves with `work`, or with a `hang: …` problem after `ms`. */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T | string> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`hang: ${what} took longer than ${ms / 1000} s`), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runTarget(
  target: FuzzTarget,
  options: { seed: string; cases: number; onProgress?: (done: number) => void },
): Promise<TargetReport> {
  const started = performance.now();
  const session = await target.start();
  const findings: Finding[] = [];
  const recent: CaseInput[] = [];
  let next = 0;
  let done = 0;
  const record = async (index: number, input: CaseInput, problem: string) => {
    const before = recent.filter((earlier) => earlier !== input);
    findings.push({ target: target.name, seed: options.seed, index, input, before, problem });
    if (problem.startsWith('crash')) await session.restart();
  };
  try {
    const worker = async () => {
      for (;;) {
        const index = next++;
        if (index >= options.cases) return;
        const input = session.generate(createRandom(`${options.seed}:${target.name}:${index}`), index);
        recent.push(input);
        if (recent.length > WINDOW) recent.shift();
        const problem = await session.run(input);
        if (problem !== null) await record(index, input, problem);
        done += 1;
        if (done % HEALTH_EVERY === 0) {
          options.onProgress?.(done);
          const unhealthy = await session.health();
          if (unhealthy !== null) await record(index, input, `unhealthy: ${unhealthy}`);
        }
      }
    };
    await Promise.all(Array.from({ length: target.concurrency }, worker));
    const unhealthy = await session.health();
    if (unhealthy !== null)
      findings.push({
        target: target.name,
        seed: options.seed,
        index: options.cases,
        input: { kind: 'frames', frames: [] },
        before: [...recent],
        problem: `unhealthy at the end: ${unhealthy}`,
      });
  } finally {
    await session.stop();
  }
  return {
    target: target.name,
    seed: options.seed,
    cases: options.cases,
    findings,
    crashes: findings.filter((finding) => /^(crash|unhealthy)/.test(finding.problem)).length,
    hangs: findings.filter((finding) => finding.problem.startsWith('hang')).length,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Replays saved cases against fresh processes; returns the ones that still fail. */
export async function replay(target: FuzzTarget, cases: readonly Finding[]): Promise<Finding[]> {
  if (cases.length === 0) return [];
  const session = await target.start();
  const failing: Finding[] = [];
  try {
    for (const saved of cases) {
      let problem: string | null = null;
      for (const input of [...saved.before, saved.input]) problem ??= await session.run(input);
      problem ??= await session.health();
      if (problem !== null) {
        failing.push({ ...saved, problem });
        if (problem.startsWith('crash')) await session.restart();
      }
    }
  } finally {
    await session.stop();
  }
  return failing;
}
