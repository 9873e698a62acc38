import type { RenderPreviewView } from '@linkmesh/contracts/pipelines-api';
import { objectKinds } from '@linkmesh/contracts/pipelines-api';
import { createTwoFilesPatch } from 'diff';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CollectorConfigService } from '../../../domain/collector-config/collector-config.service.ts';
import type { CollectorRenderer } from '../../../domain/collector-config/collector-renderer.ts';
import { contentHash, masked } from '../../../domain/collector-config/config-template.ts';
import type { FleetService } from '../../../domain/fleet/fleet.service.ts';
import type { PipelineObjectsService } from '../../../domain/pipelines/pipeline-objects.service.ts';
import { requirePermission } from '../auth.hooks.ts';

const previewRequest = z
  .object({
    collectorId: z.string().min(1).max(200),
    changes: z
      .array(
        z
          .object({
            kind: z.enum(objectKinds),
            id: z.string().min(1).max(200).optional(),
            object: z.unknown(),
          })
          .strict(),
      )
      .max(50)
      .default([]),
  })
  .strict();

/**
 * `POST /api/v1/render/preview` (issue #11 item 5): what a collector would be given with the
 * editor's unsaved changes applied, rendered by the same code as delivery, without saving
 * anything; secrets masked, and the diff against the version the collector has now.
 */
export function registerRenderPreviewRoutes(
  app: FastifyInstance,
  deps: {
    objects: PipelineObjectsService;
    fleet: FleetService;
    renderer: CollectorRenderer;
    config: CollectorConfigService;
  },
): void {
  app.post(
    '/api/v1/render/preview',
    { preHandler: requirePermission('routes:read') },
    async (request): Promise<RenderPreviewView> => {
      const body = previewRequest.parse(request.body);
      const collector = await deps.fleet.get(body.collectorId);
      const snapshot = await deps.objects.withChanges(body.changes);
      const render = deps.renderer.preview(collector, snapshot);
      const state = await deps.config.state(collector.id);
      const current = state && (await deps.config.version(collector.id, state.currentVersion));
      const shown = render.template === undefined ? null : masked(render.template);
      // Against what the collector has, or, before its first delivery, what it would get unchanged.
      const base = current ?? {
        version: 0,
        template: deps.renderer.preview(collector, await deps.objects.snapshot()).template ?? '',
      };
      const baseName = current ? `v${current.version}` : 'current objects';
      return {
        collectorId: collector.id,
        runtime: collector.runtime,
        format: render.format,
        routed: render.routed,
        content: shown,
        // The template's hash: the delivered hash also covers the secrets, which a preview must not.
        hash: render.template === undefined ? null : contentHash(render.template),
        refusals: render.refusals.map((r) => ({ routeId: r.routeId, message: r.message })),
        diff:
          shown === null || base.template === render.template
            ? ''
            : createTwoFilesPatch(baseName, 'preview', masked(base.template), shown, '', '', { context: 3 }),
      };
    },
  );
}
