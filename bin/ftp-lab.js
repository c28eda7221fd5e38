#!/usr/bin/env node
// Entry point of the ftp-lab command: runs the TypeScript CLI through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/ftpLab.ts');
process.exitCode = await main(process.argv.slice(2));
