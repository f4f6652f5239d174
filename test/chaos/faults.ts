// Faults at random for the chaos run, each in the shape its platform really sends: a 429 with the platform's
// own rate-limit signal, a 500, a slow answer, a dropped connection (half of them after the work was done).
// The choice comes from a seeded generator, so a seed replays the same sequence of faults.
import type { Fault, FakeAnswer, FakeRequest } from '../support/fakes/fake-http';
import { graphError } from '../support/fakes/fake-graph';
import { telegramRateLimited } from '../support/fakes/fake-telegram';
import { xRateLimited } from '../support/fakes/fake-x';
import type { ReceiverFault } from '../support/webhook-receiver';

export type Platform = 'x' | 'telegram' | 'meta' | 'webhook';
export const FAULT_KINDS = ['429', '500', 'slow', 'drop', 'drop-after-work'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** mulberry32: small, fast and the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rateLimited(platform: Platform, random: () => number, req: FakeRequest | undefined): FakeAnswer {
  const wait = 2 + Math.floor(random() * 4);
  if (platform === 'x') return xRateLimited(wait);
  if (platform === 'telegram') return telegramRateLimited(wait);
  // Meta: error 32 with the business-use-case header telling when access comes back (whole minutes, the least is 1).
  const owner = req?.path.split('/')[2] ?? 'page';
  const limited = graphError(400, 32, 'Page request limit reached', { type: 'OAuthException' });
  return {
    ...limited,
    headers: { 'x-business-use-case-usage': JSON.stringify({ [owner]: [{ type: 'pages', call_count: 100, total_cputime: 10, total_time: 10, estimated_time_to_regain_access: 1 }] }) },
  };
}

function serverError(platform: Platform): FakeAnswer {
  if (platform === 'x') return { status: 500, body: { title: 'Internal Server Error', detail: 'Internal Server Error', type: 'about:blank', status: 500 } };
  if (platform === 'telegram') return { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } };
  return graphError(500, 2, 'An unexpected error has occurred. Please retry your request later.', { type: 'OAuthException' });
}

export interface FaultPlan {
  /** Share of requests that meet a fault, 0..1. */
  rate: number;
  random: () => number;
  /** Counted per platform and kind, for the report. */
  injected: Map<string, number>;
  /** Kinds still owed at least once per platform (so a small run meets each); taken first. */
  owed: Map<Platform, FaultKind[]>;
  /** Longest slow answer, below the product's platform time-out. */
  slowMaxMs: number;
}

export function faultPlan(seed: number, rate: number, slowMaxMs: number, everyKindOnce: boolean): FaultPlan {
  const random = seededRandom(seed);
  const owed = new Map<Platform, FaultKind[]>();
  if (everyKindOnce) for (const p of ['x', 'telegram', 'meta', 'webhook'] as const) owed.set(p, [...FAULT_KINDS]);
  return { rate, random, injected: new Map(), owed, slowMaxMs };
}

function pick(plan: FaultPlan, platform: Platform): FaultKind | undefined {
  const owed = plan.owed.get(platform);
  // Owed kinds go to the first requests, one in three, so the run's first posts still get through.
  if (owed && owed.length > 0 && plan.random() < 0.34) return owed.shift();
  if (plan.random() >= plan.rate) return undefined;
  return FAULT_KINDS[Math.floor(plan.random() * FAULT_KINDS.length)];
}

function count(plan: FaultPlan, platform: Platform, kind: FaultKind): void {
  const key = `${platform} ${kind}`;
  plan.injected.set(key, (plan.injected.get(key) ?? 0) + 1);
}

/** The chooser a platform fake asks for each request. */
export function platformFaults(plan: FaultPlan, platform: Exclude<Platform, 'webhook'>): (req: FakeRequest) => Fault | undefined {
  return (req) => {
    const kind = pick(plan, platform);
    if (!kind) return undefined;
    count(plan, platform, kind);
    switch (kind) {
      case '429':
        return { answer: rateLimited(platform, plan.random, req) };
      case '500':
        return { answer: serverError(platform) };
      case 'slow':
        return { delayMs: 200 + Math.floor(plan.random() * (plan.slowMaxMs - 200)) };
      case 'drop':
        return { drop: true, accept: false };
      case 'drop-after-work':
        return { drop: true, accept: true };
    }
  };
}

/** The chooser the webhook receiver asks for each delivery. */
export function receiverFaults(plan: FaultPlan): () => ReceiverFault | undefined {
  return () => {
    const kind = pick(plan, 'webhook');
    if (!kind) return undefined;
    count(plan, 'webhook', kind);
    switch (kind) {
      case '429':
        return { status: 429, headers: { 'retry-after': String(2 + Math.floor(plan.random() * 4)) } };
      case '500':
        return { status: 500 };
      case 'slow':
        return { delayMs: 200 + Math.floor(plan.random() * (plan.slowMaxMs - 200)) };
      case 'drop':
        return { drop: true, accept: false };
      case 'drop-after-work':
        return { drop: true, accept: true };
    }
  };
}
