// The application menu as a pure template: each app command is sent to the page as a menu command
// (the renderer acts on it, as it does on its own toolbar); window chores use Electron's roles.

import type { MenuItemConstructorOptions } from 'electron';

/** Every command the menu can send to the page over MENU_CHANNEL. */
import { MENU_COMMANDS, type MenuCommand } from '../../core/api/labApi';

export { MENU_COMMANDS, type MenuCommand };

export interface MenuOptions {
  /** Development build: adds Toggle Developer Tools. */
  readonly dev: boolean;
  /** process.platform: macOS gets its app menu and keeps Quit there. */
  readonly platform: string;
}

export function buildMenuTemplate(send: (command: MenuCommand) => void, { dev, platform }: MenuOptions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const item = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    id: command,
    ...(accelerator ? { accelerator } : {}),
    click: () => send(command),
  });
  const template: MenuItemConstructorOptions[] = [];
  if (mac) template.push({ role: 'appMenu' });
  template.push(
    {
      label: '&File',
      submenu: [
        item('Open Trace or Capture…', 'trace.open', 'CmdOrCtrl+O'),
        item('Save Trace…', 'trace.save', 'CmdOrCtrl+S'),
        item('Export…', 'trace.export', 'CmdOrCtrl+E'),
        ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
      ],
    },
    // Without the Edit roles, copy and paste shortcuts do nothing in the page on macOS.
    { role: 'editMenu' },
    {
      label: '&Session',
      submenu: [
        // Debugger keys, as in VS Code: F5 run/continue, F6 pause, F10 step, Shift+F5 stop.
        item('Run', 'session.run', 'F5'),
        item('Pause', 'session.pause', 'F6'),
        item('Step', 'session.step', 'F10'),
        item('Stop', 'session.stop', 'Shift+F5'),
      ],
    },
    {
      label: '&View',
      submenu: [
        item('Presenter Mode', 'view.presenter', 'CmdOrCtrl+Shift+P'),
        { type: 'separator' },
        item('Zoom In', 'view.zoom-in', 'CmdOrCtrl+Plus'),
        item('Zoom Out', 'view.zoom-out', 'CmdOrCtrl+-'),
        item('Reset Zoom', 'view.zoom-reset', 'CmdOrCtrl+0'),
        ...(dev ? [{ type: 'separator' } as const, { role: 'toggleDevTools' } as const] : []),
      ],
    },
    { role: 'windowMenu' },
  );
  return template;
}
