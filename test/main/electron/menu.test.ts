// The application menu: the items a teacher looks for, their shortcuts, and the command each one sends.

import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { buildMenuTemplate, MENU_COMMANDS, type MenuCommand } from '../../../main/electron/menu';

function build(options: { dev?: boolean; platform?: string } = {}) {
  const sent: MenuCommand[] = [];
  const template = buildMenuTemplate((command) => sent.push(command), { dev: options.dev ?? false, platform: options.platform ?? 'linux' });
  return { template, sent };
}

function menu(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  const found = template.find((m) => m.label?.replace('&', '') === label);
  expect(found, `menu ${label}`).toBeDefined();
  return found!.submenu as MenuItemConstructorOptions[];
}

function click(item: MenuItemConstructorOptions): void {
  (item.click as () => void)();
}

const expected: { menu: string; label: string; command: MenuCommand; accelerator: string }[] = [
  { menu: 'File', label: 'Open Trace or Capture…', command: 'trace.open', accelerator: 'CmdOrCtrl+O' },
  { menu: 'File', label: 'Save Trace…', command: 'trace.save', accelerator: 'CmdOrCtrl+S' },
  { menu: 'File', label: 'Export…', command: 'trace.export', accelerator: 'CmdOrCtrl+E' },
  { menu: 'Session', label: 'Run', command: 'session.run', accelerator: 'F5' },
  { menu: 'Session', label: 'Pause', command: 'session.pause', accelerator: 'F6' },
  { menu: 'Session', label: 'Step', command: 'session.step', accelerator: 'F10' },
  { menu: 'Session', label: 'Stop', command: 'session.stop', accelerator: 'Shift+F5' },
  { menu: 'View', label: 'Presenter Mode', command: 'view.presenter', accelerator: 'CmdOrCtrl+Shift+P' },
  { menu: 'View', label: 'Zoom In', command: 'view.zoom-in', accelerator: 'CmdOrCtrl+Plus' },
  { menu: 'View', label: 'Zoom Out', command: 'view.zoom-out', accelerator: 'CmdOrCtrl+-' },
  { menu: 'View', label: 'Reset Zoom', command: 'view.zoom-reset', accelerator: 'CmdOrCtrl+0' },
];

describe('buildMenuTemplate', () => {
  for (const row of expected) {
    it(`${row.menu} > ${row.label} (${row.accelerator}) sends ${row.command}`, () => {
      const { template, sent } = build();
      const item = menu(template, row.menu).find((i) => i.label === row.label);
      expect(item, row.label).toBeDefined();
      expect(item!.accelerator).toBe(row.accelerator);
      click(item!);
      expect(sent).toEqual([row.command]);
    });
  }

  it('every menu command is reachable from exactly one item', () => {
    expect(expected.map((r) => r.command).sort()).toEqual([...MENU_COMMANDS].sort());
  });

  it('no two items share a shortcut', () => {
    const accelerators = build()
      .template.flatMap((m) => (Array.isArray(m.submenu) ? m.submenu : []))
      .flatMap((i) => (i.accelerator ? [i.accelerator] : []));
    expect(new Set(accelerators).size).toBe(accelerators.length);
  });

  it('offers Toggle Developer Tools only in a development build', () => {
    const roles = (dev: boolean) => menu(build({ dev }).template, 'View').map((i) => i.role);
    expect(roles(true)).toContain('toggleDevTools');
    expect(roles(false)).not.toContain('toggleDevTools');
  });

  it('has Quit in File on Linux and Windows, and the app menu (with Quit) first on macOS', () => {
    expect(menu(build({ platform: 'linux' }).template, 'File').map((i) => i.role)).toContain('quit');
    const mac = build({ platform: 'darwin' }).template;
    expect(mac[0]!.role).toBe('appMenu');
    expect(menu(mac, 'File').map((i) => i.role)).not.toContain('quit');
  });

  it('keeps the Edit menu, so copy and paste work in the page', () => {
    expect(build().template.map((m) => m.role)).toContain('editMenu');
  });
});
