// A passive-port range (vsftpd's pasv_min_port/pasv_max_port, ProFTPD's PassivePorts): where the server
// listens for PASV/EPSV data connections, handed out in turn so that consecutive transfers use different ports.
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
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || min > max) {
    throw new Error(`passive ports ${min}-${max}: the range must lie within 1024-65535, lowest first.`);
  }
}

/** Hands out the ports of a range in turn, from a random start, wrapping around; shared by every session of a server. */
export class PassivePortCursor {
  #next: number;

  constructor(readonly range: PassivePortRange) {
    checkPassivePorts(range);
    this.#next = range.min + Math.floor(Math.random() * this.size);
  }

  get size(): number {
    return this.range.max - this.range.min + 1;
  }

  next(): number {
    const port = this.#next;
    this.#next = port >= this.range.max ? this.range.min : port + 1;
    return port;
  }
}
