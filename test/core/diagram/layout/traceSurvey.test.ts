// How the data connections of a trace came about, for headers: a scenario may use active and passive mode in
// turn (passive-vs-active), and then the header says so in that order rather than the run's default.

import { describe, expect, it } from 'vitest';
import { dataModesOf, dataModesText } from '../../../../core/diagram/layout/traceSurvey';
import { TraceBuilder } from '../traceBuilder';

describe('dataModesOf', () => {
  it('the server connecting is active mode, the client connecting passive; in the order they opened, once each', () => {
    const events = new TraceBuilder()
      .connect('control', 'C1', 'client', 50000, 2121)
      .connect('data', 'D1', 'server', 2120, 50001)
      .connect('data', 'D2', 'client', 50002, 40000)
      .connect('data', 'D3', 'client', 50003, 40000).events;
    expect(dataModesOf(events)).toEqual(['active', 'passive', 'passive']);
    expect(dataModesText(dataModesOf(events))).toBe('active, then passive');
  });

  it('a trace with no data connection has none, and one recorded by one side only still counts (watch mode)', () => {
    expect(dataModesOf(new TraceBuilder().connect('control', 'C1', 'client', 50000, 2121).events)).toEqual([]);
    const serverOnly = new TraceBuilder().connect('data', 'D1', 'client', 50001, 40000).events.filter((e) => e.side === 'server');
    expect(dataModesOf(serverOnly)).toEqual(['passive']);
  });
});
