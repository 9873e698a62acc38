import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs a TypeScript file of this folder in a separate Node process (via tsx); resolves to its stdout. */
export function runTsChild(scriptName: string, args: readonly string[]): Promise<string> {
  const script = fileURLToPath(new URL(scriptName, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${scriptName} failed: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}
