import { Semaphore, SemaphoreFull } from '../../shared/semaphore';

function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('semaphore', () => {
  test('runs at most its permits at once; the others wait in order and run as places free up', async () => {
    const s = new Semaphore(2, 10);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) => s.run(async () => (started.push(i), await g.promise, i)));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(s.waiting).toBe(2);
    gates[1]!.open();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(s.active).toBe(0);
  });

  test('past its waiting bound a task is refused at once, and a failed task frees its place', async () => {
    const s = new Semaphore(1, 1);
    const g = gate();
    const first = s.run(() => g.promise);
    const second = s.run(() => Promise.reject(new Error('boom')));
    await expect(s.run(() => Promise.resolve())).rejects.toBeInstanceOf(SemaphoreFull);
    g.open();
    await first;
    await expect(second).rejects.toThrow('boom');
    await expect(s.run(() => Promise.resolve('free'))).resolves.toBe('free');
  });
});
