/**
 * The agent's log lines on stderr, one per event, in the server's style:
 * `agent.report: failed status=503 error="…"`. systemd's journal adds the timestamp. Values are
 * quoted when they contain spaces or quotes. Never pass a bearer: use `tokenPrefix`.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export type Log = (event: string, message: string, fields?: LogFields) => void;

export function createLog(write: (line: string) => void = (line) => process.stderr.write(line)): Log {
  return (event, message, fields = {}) => {
    const pairs = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${formatValue(value ?? null)}`);
    write(`${[`${event}: ${message}`, ...pairs].join(' ')}\n`);
  };
}

function formatValue(value: string | number | boolean | null): string {
  const text = String(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/** The first 9 characters of a token and `…`: enough to tell bearers apart, useless to an attacker. */
export function tokenPrefix(token: string): string {
  return `${token.slice(0, 9)}…`;
}
