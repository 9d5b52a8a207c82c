/** A parsed IPv4 or IPv6 network (address bits and prefix length). */
export interface IpNetwork {
  v6: boolean;
  /** 4 bytes for IPv4, 16 for IPv6. */
  bytes: number[];
  prefix: number;
}

function parseV4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseV6(text: string): number[] | undefined {
  let head = text;
  let tailV4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) > 0) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tailV4 = v4;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = toGroups(halves[0]);
  const right = halves.length === 2 ? toGroups(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [
    ...left,
    ...Array(halves.length === 2 ? missing : 0).fill('0'),
    ...right,
  ];
  const bytes: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 255);
  }
  if (tailV4.length) bytes.splice(12, 4, ...tailV4);
  return bytes;
}

/** Parses `10.0.0.0/8`, `203.0.113.7`, `2001:db8::/32`; `undefined` when it is not an address. */
export function parseIpNetwork(text: string): IpNetwork | undefined {
  const [addr, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const v6 = addr.includes(':');
  const bytes = v6 ? parseV6(addr) : parseV4(addr);
  if (!bytes) return undefined;
  const max = v6 ? 128 : 32;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > max) return undefined;
  }
  return { v6, bytes, prefix };
}

/** Whether an address lies in a network. */
export function ipInNetwork(address: IpNetwork, network: IpNetwork): boolean {
  if (address.v6 !== network.v6) return false;
  let bits = network.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 255 : (0xff << (8 - bits)) & 255;
    if ((address.bytes[i] & mask) !== (network.bytes[i] & mask)) return false;
  }
  return true;
}
