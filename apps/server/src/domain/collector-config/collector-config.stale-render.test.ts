import assert from 'node:assert/strict';
import { FleetService } from '../fleet/fleet.service.ts';
import { systemClock } from '../shared/clock.ts';
import { describeStorage } from '../../testing/storage-harness.ts';
import { operatorContext, uniqueName } from '../../testing/factories.ts';
import type { Collector } from '../fleet/collector.types.ts';
import { CollectorConfigService, type RenderedTemplate } from './collector-config.service.ts';

/**
 * A change that lands while a collector's config is being rendered (the fan-out yields
 * mid-walk, so this happens at fleet scale) must not leave the older render in force.
 */
describeStorage('collector config renders overtaken by a change', (suite) => {
  /** A renderer answering `template`, holding each render until released while `held` is set. */
  const controllableRender = () => {
    let template = 'receivers: {old: {}}\n';
    let held: Array<() => void> | undefined;
    const render = (): Promise<RenderedTemplate> => {
      const answer: RenderedTemplate = { format: 'otel-yaml', template, secrets: new Map() };
      if (!held) return Promise.resolve(answer);
      const queue = held;
      return new Promise((resolve) => queue.push(() => resolve(answer)));
    };
    return {
      render,
      set: (text: string) => (template = text),
      hold: () => {
        const queue: Array<() => void> = [];
        held = queue;
        return () => {
          if (held === queue) held = undefined;
          for (const resolve of queue) resolve();
        };
      },
    };
  };

  const setUp = async () => {
    const storage = suite.storage();
    const fleet = new FleetService(storage, systemClock);
    const renderer = controllableRender();
    const service = new CollectorConfigService(storage, systemClock, fleet, renderer.render, {
      cacheTtlMs: 60_000,
      maxCachedCollectors: 100,
    });
    const collector: Collector = await fleet.createCollector(operatorContext, {
      name: uniqueName('edge'),
      runtime: 'otelcol',
    });
    return { storage, service, renderer, collector };
  };

  suite.test('a render begun before a change is neither delivered nor kept after it', async () => {
    const { storage, service, renderer, collector } = await setUp();
    assert.match((await service.current(collector)).content, /old/);
    service.changed();
    // The first change's render is under way when a second change lands.
    renderer.set('receivers: {middle: {}}\n');
    const release = renderer.hold();
    const delivering = service.current(collector);
    await new Promise((resolve) => setImmediate(resolve));
    renderer.set('receivers: {new: {}}\n');
    service.changed();
    release();
    const delivered = await delivering;
    assert.match(delivered.content, /new/, 'the delivery carries the newest objects');
    assert.match((await service.current(collector)).content, /new/, 'and so does the cached one');
    const state = await storage.configVersions.state(collector.id);
    const current = state && (await storage.configVersions.get(collector.id, state.currentVersion));
    assert.match(current?.template ?? '', /new/, 'the current version is the newest render');
  });
});
