// No test reaches the internet: every socket a test process (or a process it spawns, through
// NODE_OPTIONS) opens must go to this machine — a loopback address or a Unix socket. Anything else is
// refused with an error naming where it tried to go, so the test that tried fails loudly.
const net = require('node:net');

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '::ffff:127.0.0.1', '[::1]']);

function isLoopback(host) {
  if (host === undefined || host === null || host === '') return true; // Node's default is localhost
  const h = String(host).toLowerCase();
  return LOOPBACK.has(h) || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function target(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === 'object') {
    if (first.path) return { local: true };
    return { local: isLoopback(first.host), where: `${first.host}:${first.port}` };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { local: true }; // a Unix socket path
  const host = typeof args[1] === 'string' ? args[1] : undefined;
  return { local: isLoopback(host), where: `${host}:${first}` };
}

const connect = net.Socket.prototype.connect;
const JUDGED = Symbol('loopback-judged');
net.Socket.prototype.connect = function guardedConnect(...args) {
  const t = target(args);
  if (!t.local) {
    const err = Object.assign(new Error(`tests may only connect to this machine; refused ${t.where}`), { code: 'ETESTOUTBOUND' });
    process.nextTick(() => this.destroy(err));
    return this;
  }
  // A name allowed here ("localhost") may still be made to resolve elsewhere (a test's own look-up): the
  // address it resolved to is judged too, before the socket connects to it.
  // One listener per socket, however often it connects (a socket connected again would otherwise gather them).
  if (!this[JUDGED]) {
    this[JUDGED] = true;
    this.on('lookup', (err, address) => {
      if (!err && !isLoopback(address)) {
        this.destroy(Object.assign(new Error(`tests may only connect to this machine; refused ${address}`), { code: 'ETESTOUTBOUND' }));
      }
    });
  }
  return connect.apply(this, args);
};
