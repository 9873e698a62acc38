/** What one Alloy `GetConfig` / `RegisterCollector` call says, free of the wire format. */
export interface AlloyPoll {
  /** The `id` Alloy sends (recorded, never trusted: the bearer identifies the collector). */
  readonly reportedId: string;
  /** The content hash Alloy runs now (`''` before its first config). */
  readonly hash: string;
  /** `local_attributes`, or the deprecated `attributes` when those are empty. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The apply status of the config named by `hash`, when the call carries one. */
  readonly status?: { readonly state: 'applying' | 'applied' | 'failed'; readonly errorMessage: string };
  /** The configuration Alloy reports it loaded, when the call carries it. */
  readonly effectiveConfig?: string;
}

/** An authenticated poller: its collector, the bearer credential and the token it presented. */
export interface AlloyCaller {
  readonly collectorId: string;
  readonly credentialId: string;
  /** The bearer it presented (the served config embeds it). */
  readonly token: string;
}

/** What a GetConfig answers. */
export type AlloyConfigAnswer =
  | { readonly notModified: true }
  | { readonly notModified: false; readonly content: string; readonly hash: string };
