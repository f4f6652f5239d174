// Webhooks go to the public internet only: an address typed by an admin must not reach into the
// servers' own network (cloud metadata, databases, admin consoles).
import dns from 'node:dns/promises';
import net from 'node:net';
import { AppError } from '../../shared/errors';

const PRIVATE = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(prefix, bits, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family === 6) {
    // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is the IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    return mapped ? PRIVATE.check(mapped[1]!, 'ipv4') : PRIVATE.check(address, 'ipv6');
  }
  return true;
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
