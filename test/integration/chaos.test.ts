// Proof under fire, small: a few dozen posts across every channel kind while the platforms fail at random
// (each kind of fault at least once), a worker is SIGKILLed, Redis is restarted and flushed and the API is
// restarted. Nothing may go out twice and nothing may be lost. `npm run chaos` is the same run, larger.
import { formatReport, runChaos } from '../chaos/chaos-run';
import { FAULT_KINDS } from '../chaos/faults';
import { testDbKind } from '../support/test-db';

const postgres = testDbKind() === 'postgres';
// The one-process server restarts slowly (it opens the embedded database each time): fewer posts, a shorter
// window, and its SIGKILL-and-restart stands for the API restart too, which keeps the run short.
const WINDOW_SECONDS = postgres ? 20 : 15;
const POSTS = postgres ? 30 : 12;

test(
  postgres
    ? 'under platform faults, a worker SIGKILL, a Redis restart and flush and an API restart (API and two workers on PostgreSQL), every target is published once or has a reason, never twice'
    : 'under platform faults, a SIGKILL and restart of the one-process server (the embedded database belongs to one process, so API and worker die together), a Redis restart and flush, every target is published once or has a reason, never twice',
  async () => {
    const report = await runChaos({
      posts: POSTS,
      units: postgres ? 3 : 2,
      windowSeconds: WINDOW_SECONDS,
      seed: 13,
      database: postgres ? 'postgres' : 'embedded',
      photoShare: 0.1,
      faultRate: 0.05,
      everyFaultOnce: true,
      // One kill, past the middle of the window.
      killEverySeconds: WINDOW_SECONDS * 0.6,
      redisRestarts: 1,
      flushes: 1,
      apiRestarts: postgres ? 1 : 0,
      settleSeconds: 60,
      log: () => undefined,
    });
    const table = formatReport(report);
    // The table is the evidence when something is wrong.
    expect({ twice: report.publishedTwice, lost: report.lost, table }).toEqual({ twice: [], lost: [], table });
    // Five channel kinds on every post, Instagram too on those with a photo.
    const instagram = report.byKind.get('instagram')?.targets ?? 0;
    expect(instagram).toBeGreaterThan(0);
    expect(report.targets).toBe(POSTS * 5 + instagram);
    expect(report.chaos).toMatchObject({ workerKills: 1, redisRestarts: 1, flushes: 1, apiRestarts: postgres ? 1 : 0 });
    const kinds = new Set([...report.chaos.faults.keys()].map((k) => k.split(' ')[1]));
    expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
  },
  150_000,
);
