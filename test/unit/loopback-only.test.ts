// The test set-up refuses any connection that would leave this machine (test/support/loopback-only.js).
import net from 'node:net';

test('a connection beyond this machine is refused, by sockets and by fetch alike', async () => {
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
    const s = net.connect(80, '192.0.2.10');
    s.on('error', resolve);
  });
  expect(err.code).toBe('ETESTOUTBOUND');
  expect(err.message).toContain('192.0.2.10:80');
  const refused = await fetch('http://example.com/').then(
    () => undefined,
    (e: unknown) => (e as { cause?: NodeJS.ErrnoException }).cause,
  );
  expect(refused?.code).toBe('ETESTOUTBOUND');
});

test('loopback still connects', async () => {
  const server = net.createServer((s) => s.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  const text = await new Promise<string>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString()));
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
  server.close();
  expect(text).toBe('ok');
});
