// Colours and line styles for the diagram, shared by the SVG painter and the on-screen renderer so a
// data connection has the same colour and dash everywhere. Okabe–Ito colours: distinguishable with
// the common colour-vision deficiencies, and each connection also has its own dash pattern.

import type { ConnectionColour } from '../layout/diagramModel';
import type { KernelStateTone } from '../../trace/kernelStateMeaning';

export type ThemeName = 'light' | 'dark';

export interface Theme {
  readonly name: ThemeName;
  readonly background: string;
  readonly text: string;
  readonly muted: string;
  readonly stripe: string;
  readonly laneFill: string;
  readonly laneStroke: string;
  readonly lifeline: string;
  readonly control: string;
  readonly error: string;
  readonly badgeFill: string;
  readonly openFill: string;
  readonly noteFill: string;
  readonly noteStroke: string;
  /** One colour per data connection, cycled by colour index. */
  readonly data: readonly string[];
  /** A kernel TCP state's band and name, by its tone (opening, open, closing, TIME_WAIT, closed). */
  readonly kernel: Readonly<Record<KernelStateTone, string>>;
}

export const themes: Record<ThemeName, Theme> = {
  light: {
    name: 'light',
    background: '#ffffff',
    text: '#1f2328',
    muted: '#59636e',
    stripe: '#f3f5f8',
    laneFill: '#eef2f7',
    laneStroke: '#8c959f',
    lifeline: '#afb8c1',
    control: '#24292f',
    error: '#c2241d',
    badgeFill: '#fff4e5',
    openFill: '#e7f6ec',
    noteFill: '#fffbdd',
    noteStroke: '#d4a72c',
    data: ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#b07d00', '#3b9ad9', '#8c564b', '#6f42c1'],
    kernel: { opening: '#3b6fb6', open: '#1a7f37', closing: '#9a6700', 'time-wait': '#8250df', closed: '#59636e' },
  },
  dark: {
    name: 'dark',
    background: '#0d1117',
    text: '#e6edf3',
    muted: '#9198a1',
    stripe: '#151b23',
    laneFill: '#1c2530',
    laneStroke: '#6e7681',
    lifeline: '#3d444d',
    control: '#d1d9e0',
    error: '#ff7b72',
    badgeFill: '#3a2a14',
    openFill: '#12301f',
    noteFill: '#2e2a12',
    noteStroke: '#bb8009',
    data: ['#58a6ff', '#ff8a4c', '#3fd09f', '#e7a1cb', '#f2c14e', '#8fd0f5', '#d2a679', '#b392f0'],
    kernel: { opening: '#79c0ff', open: '#56d364', closing: '#e3b341', 'time-wait': '#d2a8ff', closed: '#9198a1' },
  },
};

const dashes = ['', '9 4', '3 3', '12 4 3 4'] as const;

/** The stroke colour for a connection colour index (or control) in a theme. */
export function connectionColour(colour: ConnectionColour, theme: Theme): string {
  if (colour === 'control') return theme.control;
  return theme.data[colour % theme.data.length] ?? theme.control;
}

/**
 * The dash pattern for a connection colour index ('' is solid). Cycled so that colour and dash together
 * stay distinct for the first 32 connections.
 */
export function connectionDash(colour: ConnectionColour): string {
  if (colour === 'control') return '';
  return dashes[(colour + Math.floor(colour / 8)) % dashes.length] ?? '';
}
