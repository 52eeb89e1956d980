import { isIP } from 'node:net';

/**
 * Client addresses behind trusted proxies: address ranges (IPv4 and IPv6, CIDR) as configured in TRUST_PROXY,
 * the client address read from X-Forwarded-For only through those proxies, and the bucket an address is
 * rate-limited under. Apart from the HTTP layer so the configuration can validate TRUST_PROXY with it.
 */

/** `X-Forwarded-For` entries examined from the right; a longer proxy chain is not believed further. */
const MAX_FORWARDED_HOPS = 16;

/** An address range: 16 bytes (IPv4 as IPv4-mapped IPv6, ::ffff:a.b.c.d) and a prefix length in bits. */
/** `X-Forwarded-For` entries examined from the right; a longer proxy chain is not believed further. */ export interface AddressRange {
  bytes: Uint8Array;
  bits: number;
}

/** Parses an IPv4 or IPv6 address (zone index ignored) into 16 bytes; null if it is not one. */
function parseAddress(text: string): Uint8Array | null {
  const zone = text.indexOf('%');
  const s = zone >= 0 ? text.slice(0, zone) : text;
  const kind = isIP(s);
  const out = new Uint8Array(16);
  if (kind === 4) {
    out[10] = 0xff;
    out[11] = 0xff;
    s.split('.').forEach((octet, i) => {
      out[12 + i] = Number(octet);
    });
    return out;
  }
  if (kind !== 6) return null;
  const groups: number[] = [];
  const expand = (part: string): number[] => {
    if (part === '') return [];
    const result: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [a, b, c, d] = g.split('.').map(Number);
        result.push((a << 8) | b, (c << 8) | d);
      } else result.push(Number.parseInt(g, 16));
    }
    return result;
  };
  const gap = s.indexOf('::');
  if (gap < 0) groups.push(...expand(s));
  else {
    const left = expand(s.slice(0, gap));
    const right = expand(s.slice(gap + 2));
    groups.push(...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right);
  }
  if (groups.length !== 8) return null;
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function isMappedIpv4(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * Parses one `TRUST_PROXY` entry: an address (`127.0.0.1`, `::1`) or a CIDR range (`10.0.0.0/8`,
 * `fd00::/8`). Returns null when the entry is neither, so configuration can name the bad entry.
 */
export function parseAddressRange(entry: string): AddressRange | null {
  const slash = entry.indexOf('/');
  const address = (slash < 0 ? entry : entry.slice(0, slash)).trim();
  const bytes = parseAddress(address);
  if (!bytes) return null;
  const v4 = isIP(address.split('%')[0]) === 4;
  const max = v4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const prefix = entry.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return null;
    bits = Number(prefix);
  }
  return { bytes, bits: v4 ? bits + 96 : bits };
}

/** Parses a list of `TRUST_PROXY` entries; throws on an invalid one (configuration validates first). */
export function parseTrustedProxies(entries: readonly string[]): AddressRange[] {
  return entries.map((e) => {
    const range = parseAddressRange(e);
    if (!range) throw new Error(`TRUST_PROXY: "${e}" is not an IP address or CIDR range`);
    return range;
  });
}

function inRange(bytes: Uint8Array, range: AddressRange): boolean {
  const full = range.bits >> 3;
  for (let i = 0; i < full; i++) if (bytes[i] !== range.bytes[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[full] & mask) === (range.bytes[full] & mask);
}

function isTrusted(bytes: Uint8Array, trusted: readonly AddressRange[]): boolean {
  for (const range of trusted) if (inRange(bytes, range)) return true;
  return false;
}

/** An address as reported to handlers: IPv4-mapped IPv6 as plain IPv4, zone index dropped. */
function displayAddress(text: string, bytes: Uint8Array): string {
  if (isMappedIpv4(bytes)) return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  const zone = text.indexOf('%');
  return (zone >= 0 ? text.slice(0, zone) : text).toLowerCase();
}

/** One `X-Forwarded-For` entry without spaces, brackets or a port (`[::1]:80`, `1.2.3.4:5678`). */
function forwardedEntry(raw: string): string {
  const s = raw.trim();
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    return end > 0 ? s.slice(1, end) : s;
  }
  const colon = s.indexOf(':');
  return colon > 0 && s.indexOf(':', colon + 1) < 0 && s.includes('.') ? s.slice(0, colon) : s;
}

/**
 * The client address of a request. The peer's address, unless the peer is a trusted proxy: then
 * `X-Forwarded-For` is walked from the right (each trusted proxy appends the address it received the
 * request from) and the first address that is not itself a trusted proxy is the client. Entries to
 * its left were written by the client and are never believed. If every entry is a trusted proxy,
 * the left-most one is used; an unreadable entry stops the walk at the last address read.
 */
export function clientAddress(peer: string, forwardedFor: string | string[] | undefined, trusted: readonly AddressRange[]): string {
  const peerBytes = parseAddress(peer);
  if (!peerBytes) return peer;
  let address = displayAddress(peer, peerBytes);
  if (trusted.length === 0 || forwardedFor === undefined || !isTrusted(peerBytes, trusted)) return address;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  let end = header.length;
  for (let hop = 0; hop < MAX_FORWARDED_HOPS && end > 0; hop++) {
    const start = header.lastIndexOf(',', end - 1);
    const entry = forwardedEntry(header.slice(start + 1, end));
    end = Math.max(start, 0);
    if (entry === '') continue;
    const bytes = parseAddress(entry);
    if (!bytes) return address;
    address = displayAddress(entry, bytes);
    if (!isTrusted(bytes, trusted)) return address;
  }
  return address;
}

/**
 * The part of a client address that identifies one subscriber, for per-address rate limits: the
 * whole IPv4 address, or the /64 prefix of an IPv6 address (a subscriber is given a whole /64 and
 * can use any address in it, so counting single IPv6 addresses could be bypassed by rotating them).
 */
export function addressBucket(ip: string): string {
  const bytes = parseAddress(ip);
  if (!bytes || isMappedIpv4(bytes)) return ip;
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return `${groups.join(':')}::/64`;
}
