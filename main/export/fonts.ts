// Finds the font files the picture exports draw with: DejaVu (fonts-dejavu-core on Debian) where it is
// found, and a wide fallback font for scripts DejaVu lacks (CJK: Droid Sans Fallback, Noto CJK).

import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface FontFiles {
  readonly sans?: string;
  readonly sansBold?: string;
  readonly sansOblique?: string;
  readonly mono?: string;
  readonly monoBold?: string;
  readonly fallback?: string;
}

const fontNames: Record<keyof FontFiles, readonly string[]> = {
  sans: ['DejaVuSans.ttf'],
  sansBold: ['DejaVuSans-Bold.ttf'],
  sansOblique: ['DejaVuSans-Oblique.ttf'],
  mono: ['DejaVuSansMono.ttf'],
  monoBold: ['DejaVuSansMono-Bold.ttf'],
  fallback: ['DroidSansFallbackFull.ttf', 'DroidSansFallback.ttf', 'NotoSansSC-Regular.otf', 'NotoSansCJKsc-Regular.otf'],
};

let fontCache: FontFiles | undefined;

/** Finds the font files in the usual font folders (a few levels deep; the first match wins). */
export function findFonts(): FontFiles {
  if (fontCache) return fontCache;
  const wanted = new Map<string, keyof FontFiles>();
  for (const [key, names] of Object.entries(fontNames) as [keyof FontFiles, readonly string[]][]) for (const name of names) wanted.set(name, key);
  const found: Partial<Record<keyof FontFiles, string>> = {};
  const rank = (key: keyof FontFiles, file: string) => fontNames[key].indexOf(file);
  const visit = (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry);
      const key = wanted.get(entry);
      if (key) {
        const current = found[key];
        if (!current || rank(key, entry) < rank(key, current.split(/[\\/]/).pop() ?? '')) found[key] = path;
        continue;
      }
      if (depth > 0 && !entry.includes('.')) {
        try {
          if (statSync(path).isDirectory()) visit(path, depth - 1);
        } catch {
          // unreadable folder: skip it
        }
      }
    }
  };
  const dirs = [
    '/usr/share/fonts',
    '/usr/local/share/fonts',
    join(homedir(), '.local/share/fonts'),
    join(homedir(), '.fonts'),
    '/Library/Fonts',
    join(homedir(), 'Library/Fonts'),
    'C:\\Windows\\Fonts',
  ];
  for (const dir of dirs) if (existsSync(dir)) visit(dir, 3);
  fontCache = found;
  return found;
}
