// A passive-port range (vsftpd's pasv_min_port/pasv_max_port, ProFTPD's PassivePorts): where the server
// listens for PASV/EPSV data connections, each time from a random port of the range.
//
// Random, not in turn: a port that can be guessed can be stolen, by a connection that beats the client
// to the listener (RFC 2577 §8). The listener only admits the control connection's peer address, but on
// loopback every local program has that address.
//
// Why a range helps beyond firewalls: each STREAM download leaves the server's side of its data
// connection in TIME_WAIT for a minute (the server closed first, 959 §3.2). Listening on port 0 makes
// the kernel search the ephemeral range for a port with no socket on it at all, and with thousands in
// TIME_WAIT that search cost ~2 ms per PASV here. Binding a chosen port is one step: SO_REUSEADDR (which
// Node sets on listening sockets) lets a listener share a port with connections in TIME_WAIT.

export interface PassivePortRange {
  readonly min: number;
  readonly max: number;
}

/** Parses '50000-50999' (inclusive); throws a sentence for anything else. */
export function parsePassivePorts(text: string): PassivePortRange {
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  if (!match) throw new Error(`'${text}' is not a port range: write it as MIN-MAX, for example 50000-50999.`);
  const range = { min: Number(match[1]), max: Number(match[2]) };
  checkPassivePorts(range);
  return range;
}

export function checkPassivePorts(range: PassivePortRange): void {
  const { min, max } = range;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535) {
    throw new Error(`${min}-${max} reaches outside 1024-65535 (ports below 1024 need root; 65535 is the highest).`);
  }
  if (min > max) throw new Error(`${min}-${max} starts above where it ends: write the lower port first.`);
}

/**
 * The order in which one PASV tries the ports of the range: a random start and a random step that
 * shares no factor with the range's size, so `size` tries visit every port once. A fixed step of 1
 * would favour the port just above a block of taken ones (a program holding ports could steer
 * the server onto the one after them).
 */
export class PassivePortPicker {
  constructor(readonly range: PassivePortRange) {
    checkPassivePorts(range);
  }

  get size(): number {
    return this.range.max - this.range.min + 1;
  }

  /** A fresh random order of the range's ports: call next() up to `size` times. */
  walk(): { next(): number } {
    const size = this.size;
    let step = 1;
    if (size > 2) {
      do step = 1 + Math.floor(Math.random() * (size - 1));
      while (gcd(step, size) !== 1);
    }
    let offset = Math.floor(Math.random() * size);
    return {
      next: () => {
        const port = this.range.min + offset;
        offset = (offset + step) % size;
        return port;
      },
    };
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
