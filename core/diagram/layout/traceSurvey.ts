// One pass over a whole trace for what the diagram needs before laying out any row: which data
// connection gets which colour, who opened each connection from where, and the endpoints on each lane.

import type { Endpoint, Side, TraceEvent } from '../../trace/traceEvent';
import type { LaneId } from './diagramModel';
import { otherSide } from '../../trace/sides';

export interface ConnectionInfo {
  readonly conn: string;
  readonly channel: 'control' | 'data';
  readonly initiator: Side;
  readonly from: Endpoint;
  readonly to: Endpoint;
}

export interface TraceSurvey {
  /** Data connections in order of first appearance: the colour index. */
  readonly colours: ReadonlyMap<string, number>;
  readonly connections: ReadonlyMap<string, ConnectionInfo>;
  /** The endpoints seen on each lane, in order of first appearance (describeLane words them). */
  readonly endpoints: Record<LaneId, readonly Endpoint[]>;
}

export const at = (e: Endpoint): string => `${e.host}:${e.port}`;

/** Surveys the whole trace, not just a range, so a range shows the same colours and lane names as the full diagram. */
export function surveyTrace(events: readonly TraceEvent[]): TraceSurvey {
  const colours = new Map<string, number>();
  const connections = new Map<string, ConnectionInfo>();
  const seen: Record<LaneId, Endpoint[]> = { client: [], 'client-data': [], 'server-data': [], server: [] };
  const keys: Record<LaneId, Set<string>> = { client: new Set(), 'client-data': new Set(), 'server-data': new Set(), server: new Set() };
  const note = (lane: LaneId, endpoint: Endpoint) => {
    const key = at(endpoint);
    if (keys[lane].has(key)) return;
    keys[lane].add(key);
    seen[lane].push(endpoint);
  };
  const laneOf = (side: Side, channel: 'control' | 'data'): LaneId => (channel === 'control' ? side : `${side}-data`);

  for (const e of events) {
    if ('channel' in e && e.channel === 'data' && 'conn' in e && e.conn !== undefined && !colours.has(e.conn)) colours.set(e.conn, colours.size);
    if (e.type === 'tcp.connect' || e.type === 'tcp.accept') {
      const initiator = e.type === 'tcp.connect' ? e.side : otherSide(e.side);
      const from = e.type === 'tcp.connect' ? e.local : e.remote;
      const to = e.type === 'tcp.connect' ? e.remote : e.local;
      if (!connections.has(e.conn)) connections.set(e.conn, { conn: e.conn, channel: e.channel, initiator, from, to });
      note(laneOf(initiator, e.channel), from);
      note(laneOf(otherSide(initiator), e.channel), to);
    } else if (e.type === 'tcp.listen') {
      note(laneOf(e.side, e.channel), e.local);
    }
  }
  return {
    colours,
    connections,
    endpoints: seen,
  };
}

export type DataMode = 'active' | 'passive';

/** How the data connections came about, in order and once each: 'passive', 'active', or 'active, then passive'. */
export function dataModesText(modes: readonly DataMode[]): string {
  return [...new Set(modes)].join(', then ');
}

/** The data connections' modes in a trace, in the order they opened: the server connecting is active mode (959 §3.2). */
export function dataModesOf(events: readonly TraceEvent[]): DataMode[] {
  const seen = new Set<string>();
  const modes: DataMode[] = [];
  for (const e of events) {
    if ((e.type !== 'tcp.connect' && e.type !== 'tcp.accept') || e.channel !== 'data' || seen.has(e.conn)) continue;
    seen.add(e.conn);
    const initiator = e.type === 'tcp.connect' ? e.side : otherSide(e.side);
    modes.push(initiator === 'server' ? 'active' : 'passive');
  }
  return modes;
}

/**
 * A lane's endpoints in words: '127.0.0.1:37497', or '127.0.0.1 ports 37497, 37500, 37502 +4' when it
 * used several. Up to three ports are named, fewer if the text would not `fit` (between two lanes, so
 * that neighbouring subtitles never run into each other).
 */
export function describeLane(lane: LaneId, endpoints: readonly Endpoint[], fits: (text: string) => boolean = () => true): string {
  const [first] = endpoints;
  if (!first) return lane === 'client-data' || lane === 'server-data' ? 'no data connection' : 'not observed';
  if (endpoints.length === 1) return at(first);
  let text = '';
  for (let named = Math.min(3, endpoints.length); named >= 1; named -= 1) {
    const shown = endpoints.slice(0, named).map((e) => (e.host === first.host ? String(e.port) : at(e)));
    const more = endpoints.length > named ? ` +${endpoints.length - named}` : '';
    text = `${first.host} ports ${shown.join(', ')}${more}`;
    if (fits(text)) return text;
  }
  // A narrow lane box: the port alone, the host being the lane's own (the control lanes name it).
  const short = `port ${first.port}${endpoints.length > 1 ? ` +${endpoints.length - 1}` : ''}`;
  return fits(short) ? short : text;
}
