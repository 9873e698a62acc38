#!/usr/bin/env node
// Runs the agent's TypeScript entry point through tsx (from the repo; releases ship an esbuild bundle).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
