#!/usr/bin/env node
// `npm start`: builds the web UI if needed, then runs the server (TypeScript via tsx) in this
// process, so SIGTERM/SIGINT reach it directly. Arguments after `--` go to the server.
import { register } from 'tsx/esm/api';
import { ensureWebBuild } from './ensure-web-build.mjs';

ensureWebBuild();
register();
await import('../apps/server/src/bin.ts');
