import type { Runtime } from './catalogue/types.ts';

/**
 * What the renderers take and give back. Both renderers are pure: the same input gives the same
 * bytes and the same hash, whatever order the caller built its maps or lists in.
 */

export interface CollectorRef {
  readonly id: string;
  readonly runtime: Runtime;
  /** As the collector reported it (`0.131.0`, `v1.18.1`); absent or unparseable = the current release. */
  readonly version?: string | undefined;
}

/** Where the collector pushes its self-telemetry and host metrics (the server's OTLP receiver). */
export interface SelfTelemetryTarget {
  /** The server's external base URL; metrics go to `<externalUrl>/v1/metrics`. */
  readonly externalUrl: string;
  /** A per-collector bearer that may push to that endpoint. */
  readonly bearerToken: string;
}

/** A source, destination or processor step as stored, secrets decrypted; config validated here. */
export interface TypedObject {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly config: unknown;
}

export interface ResolvedPipeline {
  readonly id: string;
  readonly name: string;
  readonly processors: readonly { readonly type: string; readonly config: unknown }[];
  readonly outputFilter?: unknown;
}

/** A route with the objects it references looked up (the caller decides which routes target the collector). */
export interface ResolvedRoute {
  readonly id: string;
  readonly name: string;
  /** Disabled routes are left out of the render. */
  readonly enabled: boolean;
  readonly source: TypedObject;
  readonly pipeline?: ResolvedPipeline | undefined;
  readonly destinations: readonly TypedObject[];
}

export interface RenderInput {
  readonly collector: CollectorRef;
  readonly routes: readonly ResolvedRoute[];
  readonly selfTelemetry: SelfTelemetryTarget;
}

export interface Refusal {
  /** The route that cannot be rendered for this collector. */
  readonly routeId: string;
  /** Names the route, the object, its type and the reason. */
  readonly message: string;
}

/**
 * A render either gives the whole config, or refuses with every reason: a collector never gets a
 * config with one route silently missing (its data would stop without anyone being told), and the
 * server keeps delivering the last good version.
 */
export type RenderResult =
  | { readonly ok: true; readonly text: string; readonly hashHex: string }
  | { readonly ok: false; readonly refusals: readonly Refusal[] };
