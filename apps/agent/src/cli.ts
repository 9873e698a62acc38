#!/usr/bin/env node
/**
 * `linkmesh-agent` entry point. Kept bundle-friendly (esbuild → one .mjs): static imports only,
 * no native addons, dependencies limited to commander, yaml, zod and the workspace packages.
 */
import { runCli } from './program.ts';

process.exit(await runCli(process.argv));
