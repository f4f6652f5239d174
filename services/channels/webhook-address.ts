// Webhooks go to the public internet only: an address typed by an admin must not reach into the
// servers' own network (cloud metadata, databases, admin consoles).
//
// The tables below follow IANA's IPv4 and IPv6 Special-Purpose Address Registries: a range counts as
// public only when the registry calls it globally reachable and a receiver could sensibly live there.
// IPv6 is judged by what is allowed (global unicast, 2000::/3) rather than by what is refused, so a range
// added to the registry later is refused until someone looks at it. An IPv6 address that carries an IPv4
// address (IPv4-mapped, IPv4-compatible, SIIT, NAT64, 6to4) is judged as that IPv4 address, since that is
// where the packets end up.
// Written here rather than taken from ipaddr.js: the only copy in reach is 1.9.1 (inside express), which
// neither knows 64:ff9b:1::/48, 3fff::/20 nor IPv4-compatible addresses, nor opens NAT64 and 6to4 addresses
// to judge the IPv4 inside; these twenty lines are the whole rule and the unit test holds each range.
import dns from 'node:dns/promises';
import net from 'node:net';
import { AppError } from '../../shared/errors';

type Range = readonly [prefix: readonly number[], bits: number];

/** IPv4 ranges that are not globally reachable (or not unicast), as [first octets, prefix length]. */
const IPV4_INTERNAL: readonly Range[] = [
  [[0], 8], // "this network"
  [[10], 8], // private
  [[100, 64], 10], // shared address space (carrier-grade NAT)
  [[127], 8], // loopback
  [[169, 254], 16], // link-local, cloud metadata
  [[172, 16], 12], // private
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // documentation (TEST-NET-1)
  [[192, 88, 99], 24], // 6to4 relay anycast (deprecated)
  [[192, 168], 16], // private
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24], // documentation (TEST-NET-2)
  [[203, 0, 113], 24], // documentation (TEST-NET-3)
  [[224], 4], // multicast
  [[240], 4], // reserved, and the limited broadcast 255.255.255.255
  // Not in the registries, yet inside a cloud: Azure's host endpoint (WireServer), reachable from every VM there.
  [[168, 63, 129, 16], 32],
];

/** IPv6 ranges inside global unicast (2000::/3) that are still not a receiver's address, as [first bytes, prefix length]. */
const IPV6_INTERNAL: readonly Range[] = [
  [[0x20, 0x01, 0x00], 23], // IETF protocol assignments, with Teredo (2001::/32), whose IPv4 is hidden
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0x3f, 0xff, 0x00], 20], // documentation
  [[0x5f, 0x00], 16], // SRv6 segment identifiers
];

function inRange(bytes: readonly number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const width = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - width)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** The sixteen bytes of a valid IPv6 address (a zone, "%eth0", already removed). */
function ipv6Bytes(address: string): number[] {
  // A trailing dotted IPv4 part ("::ffff:1.2.3.4") is the last two groups written another way.
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const [head = '', rest] = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

const ALL_ZERO = (bytes: readonly number[], from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);

/** The IPv4 address an IPv6 address carries and delivers to, if it is of such a kind. */
function embeddedIpv4(b: readonly number[]): number[] | undefined {
  // IPv4-mapped ::ffff:a.b.c.d, and IPv4-compatible ::a.b.c.d (deprecated; also covers :: and ::1).
  if (ALL_ZERO(b, 0, 10) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0))) return b.slice(12);
  // SIIT IPv4-translated ::ffff:0:a.b.c.d.
  if (ALL_ZERO(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) return b.slice(12);
  // NAT64's well-known prefix 64:ff9b::/96.
  if (inRange(b, [[0x00, 0x64, 0xff, 0x9b], 32]) && ALL_ZERO(b, 4, 12)) return b.slice(12);
  // 6to4 2002:AABB:CCDD::/48 leads to AA.BB.CC.DD.
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6);
  return undefined;
}

function ipv4Internal(bytes: readonly number[]): boolean {
  return IPV4_INTERNAL.some((r) => inRange(bytes, r));
}

/** Whether an address is anything but a public unicast address on the internet; not an address at all counts as internal. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return ipv4Internal(ipv4Bytes(address));
  if (family !== 6) return true;
  const bytes = ipv6Bytes(address.replace(/%.*$/, ''));
  const v4 = embeddedIpv4(bytes);
  if (v4) return ipv4Internal(v4);
  // Anything outside global unicast: loopback, unique-local, link-local, multicast, discard (100::/64),
  // the rest of NAT64's local-use 64:ff9b:1::/48 (whose IPv4 may sit anywhere), and ranges not yet assigned.
  if (!inRange(bytes, [[0x20], 3])) return true;
  return IPV6_INTERNAL.some((r) => inRange(bytes, r));
}

export type AddressVerdict = 'public' | 'private' | 'unresolved';

/** Where the URL's host leads now; a name that resolves to any private address counts as private. */
export async function classifyHost(url: URL): Promise<AddressVerdict> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return isPrivateAddress(host) ? 'private' : 'public';
  try {
    const addresses = await dns.lookup(host, { all: true, verbatim: true });
    return addresses.some((a) => isPrivateAddress(a.address)) ? 'private' : 'public';
  } catch {
    return 'unresolved';
  }
}

export function privateAddressError(): AppError {
  return new AppError('validation', 'channel.private_address', {
    id: 'Alamat webhook menuju jaringan internal. Gunakan alamat publik.',
    en: 'The webhook address leads into an internal network. Use a public address.',
  });
}
