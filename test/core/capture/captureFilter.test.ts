// The capture filter for `--capture`: the session's ports in pcap-filter(7) syntax, and which of a trace's
// connections it lets through (so the report can name those it missed).

import { describe, expect, it } from 'vitest';
import { captureFilter, connectionsOutside, serverPorts } from '../../../core/capture/captureFilter';
import { fixtures } from '../diagram/fixtures';

describe('captureFilter', () => {
  it.each([
    { title: 'control port and L-1', ports: serverPorts(2121), filter: 'tcp and (port 2121 or port 2120)' },
    {
      title: 'with a passive range',
      ports: serverPorts(2121, { min: 20000, max: 20063 }),
      filter: 'tcp and (port 2121 or port 2120 or portrange 20000-20063)',
    },
    { title: 'port 1 has no L-1', ports: serverPorts(1), filter: 'tcp and (port 1)' },
  ])('$title', ({ ports, filter }) => {
    expect(captureFilter(ports)).toBe(filter);
  });

  it("names the trace's connections outside the filter, and only those", () => {
    const trace = fixtures.download.events;
    const server = fixtures.download.meta.server!.port;
    // Passive: the data connection goes to a port of the server's choosing, outside control and L-1.
    expect(connectionsOutside(serverPorts(server), trace)).toEqual([expect.stringMatching(/^D1 \(port \d+ ↔ \d+\)$/)]);
    const d1 = trace.find((e) => e.type === 'tcp.accept' && e.conn === 'D1' && e.side === 'server');
    const dataPort = d1 && d1.type === 'tcp.accept' ? d1.local.port : 0;
    expect(connectionsOutside(serverPorts(server, { min: dataPort, max: dataPort }), trace)).toEqual([]);
  });
});
