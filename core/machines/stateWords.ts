// The words for each event the session machines receive: they label a transition that has no `description`
// of its own in the statechart panel. The states' words are in the machines (`description`, `meta.label`).

import type { ClientEvent } from './clientSession.machine';
import type { ServerEvent } from './serverSession.machine';

/**
 * Each event in a few words, from the point of view of the machine that receives it. A transition whose
 * event says everything (the data region's, mostly) needs no description of its own; one whose guard
 * matters ('220 greeting' rather than 'a reply arrives') has one, and so does every transition on an event
 * XState makes up (an invoked actor done, a delay, none at all): those have no words here.
 */
export const eventWords: Readonly<Record<ClientEvent['type'] | ServerEvent['type'], string>> = {
  'control.connected': 'control connection up',
  'control.command': 'a command arrives',
  'control.tooLong': 'line too long',
  'control.flood': 'line without end',
  'control.idle': 'idle too long',
  'control.reply': 'a reply arrives',
  'control.garbled': 'not an FTP reply',
  'control.closed': 'control connection closed',
  'data.listening': 'listening',
  'data.connected': 'connected',
  'data.failed': 'failed',
  'data.sent': 'all data sent',
  'data.received': 'all data received',
  'data.paused': 'paused',
  'data.restartMarker': 'restart marker',
  'data.finSent': 'sends its FIN',
  'data.peerFin': 'FIN arrives',
  'data.closed': 'closed',
  'data.lost': 'lost',
  'data.dialing': 'dials',
  'data.dropped': 'let go',
  'data.released': 'session over',
  'data.targetSet': 'PORT accepted',
  'file.done': 'the store answers',
  'server.shutdown': 'server stops',
};
