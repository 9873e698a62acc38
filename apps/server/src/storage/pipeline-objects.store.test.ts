import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PipelineObjectsService } from '../domain/pipelines/pipeline-objects.service.ts';
import { ManualClock } from '../domain/shared/clock.ts';
import { DomainError } from '../domain/shared/errors.ts';
import { SecretBox } from '../domain/shared/secret-box.ts';
import { operatorContext } from '../testing/factories.ts';
import { describeStorage } from '../testing/storage-harness.ts';

/**
 * The pipeline objects on both dialects: revisions as compare-and-set, deletes refused while a
 * route names the object (also when the two race), secrets sealed at rest.
 */
describeStorage('pipeline object storage', (suite) => {
  const service = () =>
    new PipelineObjectsService(
      suite.storage(),
      new ManualClock(1_800_000_000_000),
      new SecretBox(randomBytes(32)),
    );
  const refusedWith = (kind: DomainError['kind'], pattern: RegExp) => (error: unknown) =>
    error instanceof DomainError && error.kind === kind && pattern.test(error.message);

  suite.test('a stale revision is refused; an update without a secret keeps it, sealed at rest', async () => {
    const objects = service();
    const created = await objects.create(operatorContext, 'destination', {
      name: 'vendor',
      type: 'otlphttp',
      config: { endpoint: 'https://o.example', bearerToken: 'tok-123456' },
    });
    assert.ok(!JSON.stringify(created.spec).includes('tok-123456'), 'sealed before storage');
    const updated = await objects.update(
      operatorContext,
      'destination',
      created.id,
      { name: 'vendor 2', type: 'otlphttp', config: { endpoint: 'https://o.example' } },
      1,
    );
    assert.equal(updated.revision, 2);
    await assert.rejects(
      objects.update(operatorContext, 'destination', created.id, { name: 'x', type: 'debug', config: {} }, 1),
      refusedWith('conflict', /revision 2, not 1/),
    );
    const snapshot = await objects.snapshot();
    assert.deepEqual([...snapshot.secrets.values()], ['tok-123456'], 'the omitted secret was kept');
    const stored = await suite.storage().pipelineObjects.get(created.id);
    assert.ok(!JSON.stringify(stored).includes('tok-123456'));
  });

  suite.test(
    'a delete is refused while a route names the object, and a racing route write never dangles',
    async () => {
      const objects = service();
      const source = await objects.create(operatorContext, 'source', { name: 's', type: 'otlp', config: {} });
      const destination = await objects.create(operatorContext, 'destination', {
        name: 'd',
        type: 'debug',
        config: {},
      });
      const route = await objects.create(operatorContext, 'route', {
        name: 'the route',
        sourceId: source.id,
        destinationIds: [destination.id],
      });
      await assert.rejects(
        objects.delete(operatorContext, 'destination', destination.id, undefined),
        refusedWith('conflict', /route "the route"/),
      );
      await objects.delete(operatorContext, 'route', route.id, undefined);
      await objects.delete(operatorContext, 'destination', destination.id, undefined);

      // A route written while its destination is deleted: either the route fails or the delete does.
      const other = await objects.create(operatorContext, 'destination', {
        name: 'd2',
        type: 'debug',
        config: {},
      });
      const results = await Promise.allSettled([
        objects.create(operatorContext, 'route', {
          name: 'racer',
          sourceId: source.id,
          destinationIds: [other.id],
        }),
        objects.delete(operatorContext, 'destination', other.id, undefined),
      ]);
      const [created, deleted] = results;
      assert.ok(
        (created.status === 'fulfilled') !== (deleted.status === 'fulfilled'),
        `exactly one wins: ${results.map((r) => r.status).join(', ')}`,
      );
      const refs =
        created.status === 'fulfilled' ? await suite.storage().pipelineObjects.get(other.id) : undefined;
      if (created.status === 'fulfilled') assert.ok(refs, 'the route kept its destination');
    },
  );
});
