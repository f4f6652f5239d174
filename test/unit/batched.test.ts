// The batcher behind a publish's statements (services/storage/batched.ts): a call with a free slot goes at once and
// alone; calls arriving meanwhile go together, in order, up to the batch's size; a failed batch's items are tried
// alone, so each caller gets its own answer.
import { batched, refusedByDatabase } from '../../services/storage/batched';

interface Gate {
  open(): void;
  wait: Promise<void>;
}

function gate(): Gate {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { open, wait };
}

test('a call with a free slot goes at once and alone; calls arriving meanwhile go together, up to the size', async () => {
  const alone: number[] = [];
  const together: number[][] = [];
  const first = gate();
  const run = batched(
    async (x: number) => {
      alone.push(x);
      if (x === 0) await first.wait;
      return x * 10;
    },
    (xs: number[]) => {
      together.push(xs);
      return Promise.resolve(xs.map((x) => x * 10));
    },
    { max: 3, inFlight: 1 },
  );
  const answers = [0, 1, 2, 3, 4, 5, 6].map((x) => run(x));
  await Promise.resolve();
  expect(alone).toEqual([0]);
  expect(together).toEqual([]);
  first.open();
  expect(await Promise.all(answers)).toEqual([0, 10, 20, 30, 40, 50, 60]);
  // 1, 2, 3 waited behind 0; 4, 5, 6 behind them.
  expect(together).toEqual([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  expect(alone).toEqual([0]);
});

test('each slot in flight takes its own batch', async () => {
  const gates = [gate(), gate()];
  const calls: number[][] = [];
  const run = batched(
    async (x: number) => {
      calls.push([x]);
      await gates[x]?.wait;
      return x;
    },
    (xs: number[]) => {
      calls.push(xs);
      return Promise.resolve(xs);
    },
    { max: 10, inFlight: 2 },
  );
  const answers = [0, 1, 2, 3].map((x) => run(x));
  await Promise.resolve();
  expect(calls).toEqual([[0], [1]]);
  gates[1]!.open();
  await answers[1];
  await answers[3];
  expect(calls).toEqual([[0], [1], [2, 3]]);
  gates[0]!.open();
  expect(await Promise.all(answers)).toEqual([0, 1, 2, 3]);
});

test('a failed batch tries its items alone: the bad one fails, the others answer', async () => {
  const first = gate();
  const alone: number[] = [];
  const run = batched(
    async (x: number) => {
      alone.push(x);
      if (x === 0) await first.wait;
      if (x === 3) throw new Error('three is refused');
      return x;
    },
    (xs: number[]) => (xs.includes(3) ? Promise.reject(new Error('the batch is refused')) : Promise.resolve(xs)),
    { max: 10, inFlight: 1 },
  );
  const answers = [0, 1, 2, 3, 4].map((x) => run(x));
  first.open();
  const settled = await Promise.allSettled(answers);
  expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([0, 1, 2, 'three is refused', 4]);
  expect(alone.sort()).toEqual([0, 1, 2, 3, 4]);
});

test("a failed batch's items are tried alone outside its slot: the calls behind it do not wait for them", async () => {
  const first = gate();
  const slowAlone = gate();
  const calls: number[][] = [];
  const run = batched(
    async (x: number) => {
      calls.push([x]);
      if (x === 0) await first.wait;
      if (x === 1 || x === 2) await slowAlone.wait;
      return x;
    },
    (xs: number[]) => {
      calls.push(xs);
      return xs.includes(1) ? Promise.reject(new Error('the batch is refused')) : Promise.resolve(xs);
    },
    { max: 10, inFlight: 1 },
  );
  const early = [0, 1, 2].map((x) => run(x));
  first.open();
  await early[0];
  // The batch [1, 2] failed; its items wait alone. A call arriving now goes at once, in its own statement.
  await new Promise((r) => setImmediate(r));
  expect(await run(3)).toBe(3);
  expect(calls).toEqual([[0], [1, 2], [1], [2], [3]]);
  slowAlone.open();
  expect(await Promise.all(early)).toEqual([0, 1, 2]);
});

test('a batch answering the wrong number of results is tried item by item', async () => {
  const first = gate();
  const run = batched(
    async (x: number) => {
      if (x === 0) await first.wait;
      return x;
    },
    (xs: number[]) => Promise.resolve(xs.slice(1)),
    { max: 10, inFlight: 1 },
  );
  const answers = [0, 1, 2].map((x) => run(x));
  first.open();
  expect(await Promise.all(answers)).toEqual([0, 1, 2]);
});

test('a batch closes before it would pass its weight; an item heavier than that goes alone', async () => {
  const first = gate();
  const together: number[][] = [];
  const run = batched(
    async (x: number) => {
      if (x === 0) await first.wait;
      together.push([x]);
      return x;
    },
    (xs: number[]) => {
      together.push(xs);
      return Promise.resolve(xs);
    },
    { max: 10, inFlight: 1, weight: (x) => x, maxWeight: 10 },
  );
  const answers = [0, 3, 4, 5, 20, 1, 2].map((x) => run(x));
  first.open();
  expect(await Promise.all(answers)).toEqual([0, 3, 4, 5, 20, 1, 2]);
  // 3 + 4 fit in 10; 5 does not fit with them; 20 alone; then 1 and 2.
  expect(together).toEqual([[0], [3, 4], [5], [20], [1, 2]]);
});

test('items not safe to run again fail with their batch unless the database refused it', async () => {
  const first = gate();
  let fail = new Error('unset');
  const alone: number[] = [];
  const run = batched(
    async (x: number) => {
      if (x === 0) await first.wait;
      alone.push(x);
      return x;
    },
    () => Promise.reject(fail),
    { max: 10, inFlight: 1, rerunAfter: refusedByDatabase },
  );
  // The connection dropped: the batch may have been kept, so its items are not run again.
  fail = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
  const lost = [0, 1, 2].map((x) => run(x));
  first.open();
  const settled = await Promise.allSettled(lost);
  expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
  expect(alone).toEqual([0]);
  // The database refused it (a foreign key): nothing was kept, each item runs alone.
  fail = Object.assign(new Error('violates foreign key constraint'), { code: '23503' });
  const hold = gate();
  const again = batched(
    async (x: number) => {
      if (x === 0) await hold.wait;
      alone.push(x);
      return x;
    },
    () => Promise.reject(fail),
    { max: 10, inFlight: 1, rerunAfter: refusedByDatabase },
  );
  const refused = [0, 3, 4].map((x) => again(x));
  hold.open();
  expect(await Promise.all(refused)).toEqual([0, 3, 4]);
  expect(alone.sort()).toEqual([0, 0, 3, 4]);
});
