import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { agentReportRequest } from '@linkmesh/contracts/agent-api';
import type { CollectorSnapshot } from '../supervisor/collector-supervisor.ts';
import { agentVersion } from '../version.ts';
import { buildAgentReport } from './host-context.ts';

const nowMs = Date.parse('2025-01-01T00:10:00Z');
const idle: CollectorSnapshot = {
  pid: null,
  running: false,
  startedAtMs: null,
  restartCount: 0,
  plannedRestarts: 0,
  lastExit: null,
  nextStartAtMs: null,
  recentStarts: [],
};

describe('host-context report', () => {
  it('matches the wire contract for a running collector', () => {
    const report = buildAgentReport(
      {
        binary: '/usr/bin/alloy',
        version: 'alloy, version v1.9.1',
        snapshot: { ...idle, pid: 4242, running: true, startedAtMs: nowMs - 90_000, restartCount: 2 },
      },
      nowMs,
    );
    agentReportRequest.parse(report);
    assert.equal(report.collector.pid, 4242);
    assert.equal(report.collector.uptimeSeconds, 90);
    assert.equal(report.collector.restartCount, 2);
    assert.equal(report.collector.nextStartInSeconds, null);
    assert.ok(report.host.cpuCount > 0);
  });

  it('matches the wire contract while the collector backs off after an exit', () => {
    const report = buildAgentReport(
      {
        binary: '/usr/bin/alloy',
        version: null,
        snapshot: {
          ...idle,
          restartCount: 1,
          lastExit: { code: null, signal: 'SIGSEGV', atMs: nowMs - 1_000 },
          nextStartAtMs: nowMs + 3_000,
        },
      },
      nowMs,
    );
    agentReportRequest.parse(report);
    assert.equal(report.collector.uptimeSeconds, null);
    assert.equal(report.collector.lastExitSignal, 'SIGSEGV');
    assert.equal(report.collector.lastExitAt, '2025-01-01T00:09:59.000Z');
    assert.equal(report.collector.nextStartInSeconds, 3);
  });

  it('sends the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.equal(agentVersion, pkg.version);
  });
});
