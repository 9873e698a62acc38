#!/usr/bin/env node
// `npm start`: builds the web UI and the server when they are missing or older than their
// sources (so a fresh clone needs no other step), then runs the built server
// (apps/server/dist/bin.mjs, plain JavaScript) in this process, so SIGTERM/SIGINT reach it
// directly. Arguments after `--` go to the server.
import { ensureBuild } from './build.mjs';
import { ensureWebBuild } from './ensure-web-build.mjs';

ensureWebBuild();
await ensureBuild();
await import('../apps/server/dist/bin.mjs');
