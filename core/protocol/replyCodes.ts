// Reply codes named by meaning, with the RFC's suggested text: one table the server replies from.
// Texts follow RFC 959 §4.2.1; later codes cite their RFC. Only the code is binding (959 §4.2).

export const Reply = {
  restartMarker: { code: 110, text: 'MARK', rfc: '1123 §4.1.3.4' },
  dataAlreadyOpen: { code: 125, text: 'Data connection already open; transfer starting.', rfc: '959 §4.2.1' },
  aboutToOpenData: { code: 150, text: 'File status okay; about to open data connection.', rfc: '959 §4.2.1' },
  ok: { code: 200, text: 'Command okay.', rfc: '959 §4.2.1' },
  superfluous: { code: 202, text: 'Command not implemented, superfluous at this site.', rfc: '959 §4.2.1' },
  systemStatus: { code: 211, text: 'System status.', rfc: '959 §4.2.1' },
  fileStatus: { code: 213, text: 'File status.', rfc: '959 §4.2.1' },
  help: { code: 214, text: 'Help message.', rfc: '959 §4.2.1' },
  systemType: { code: 215, text: 'UNIX Type: L8', rfc: '959 §4.2.1' },
  serviceReady: { code: 220, text: 'Service ready for new user.', rfc: '959 §4.2.1' },
  closingControl: { code: 221, text: 'Service closing control connection.', rfc: '959 §4.2.1' },
  noTransfer: { code: 225, text: 'Data connection open; no transfer in progress.', rfc: '959 §4.2.1' },
  closingData: { code: 226, text: 'Closing data connection. Requested file action successful.', rfc: '959 §4.2.1' },
  enteringPassive: { code: 227, text: 'Entering Passive Mode', rfc: '959 §4.2.1' },
  enteringExtendedPassive: { code: 229, text: 'Entering Extended Passive Mode', rfc: '2428 §3' },
  loggedIn: { code: 230, text: 'User logged in, proceed.', rfc: '959 §4.2.1' },
  fileActionOk: { code: 250, text: 'Requested file action okay, completed.', rfc: '959 §4.2.1' },
  pathCreated: { code: 257, text: 'created.', rfc: '959 §4.2.1' },
  needPassword: { code: 331, text: 'User name okay, need password.', rfc: '959 §4.2.1' },
  needAccount: { code: 332, text: 'Need account for login.', rfc: '959 §4.2.1' },
  pendingFurtherInfo: { code: 350, text: 'Requested file action pending further information.', rfc: '959 §4.2.1' },
  serviceNotAvailable: { code: 421, text: 'Service not available, closing control connection.', rfc: '959 §4.2.1' },
  cantOpenData: { code: 425, text: "Can't open data connection.", rfc: '959 §4.2.1' },
  transferAborted: { code: 426, text: 'Connection closed; transfer aborted.', rfc: '959 §4.2.1' },
  fileBusy: { code: 450, text: 'Requested file action not taken. File unavailable.', rfc: '959 §4.2.1' },
  localError: { code: 451, text: 'Requested action aborted: local error in processing.', rfc: '959 §4.2.1' },
  insufficientStorage: { code: 452, text: 'Requested action not taken. Insufficient storage space in system.', rfc: '959 §4.2.1' },
  syntaxError: { code: 500, text: 'Syntax error, command unrecognized.', rfc: '959 §4.2.1' },
  argumentError: { code: 501, text: 'Syntax error in parameters or arguments.', rfc: '959 §4.2.1' },
  notImplemented: { code: 502, text: 'Command not implemented.', rfc: '959 §4.2.1' },
  badSequence: { code: 503, text: 'Bad sequence of commands.', rfc: '959 §4.2.1' },
  notImplementedForParameter: { code: 504, text: 'Command not implemented for that parameter.', rfc: '959 §4.2.1' },
  protocolNotSupported: { code: 522, text: 'Network protocol not supported, use (1)', rfc: '2428 §2' },
  notLoggedIn: { code: 530, text: 'Not logged in.', rfc: '959 §4.2.1' },
  fileUnavailable: { code: 550, text: 'Requested action not taken. File unavailable.', rfc: '959 §4.2.1' },
  storageExceeded: { code: 552, text: 'Requested file action aborted. Exceeded storage allocation.', rfc: '959 §4.2.1' },
  nameNotAllowed: { code: 553, text: 'Requested action not taken. File name not allowed.', rfc: '959 §4.2.1' },
  invalidRestart: { code: 554, text: 'Requested action not taken: invalid REST parameter.', rfc: '1123 §4.1.3.4' },
} as const;

export type ReplyName = keyof typeof Reply;

/** First digit of a reply code: what the client decides on (RFC 1123 §4.1.2.11). */
export type ReplyClass = 'preliminary' | 'completion' | 'intermediate' | 'transientNegative' | 'permanentNegative';

export function replyClass(code: number): ReplyClass {
  switch (Math.floor(code / 100)) {
    case 1:
      return 'preliminary';
    case 2:
      return 'completion';
    case 3:
      return 'intermediate';
    case 4:
      return 'transientNegative';
    default:
      return 'permanentNegative';
  }
}
