// Writes docs/configuration.md from the configuration schema (`npm run docs:config`).
import { writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../apps/server/src/config/config-docs.ts';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigDocs());
