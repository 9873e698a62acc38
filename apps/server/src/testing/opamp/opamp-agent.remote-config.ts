/**
 * How a simulated supervisor answers `remote_config` (protocols.md §2.7): a config it cannot merge
 * → FAILED at once; an unchanged config → APPLIED at once; otherwise APPLYING, then after the
 * apply delay APPLIED (and a new effective config) or FAILED. A RemoteConfigStatus equal to the
 * previous one is not reported again (opamp-go drops unchanged statuses).
 */
import { RemoteConfigStatuses } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { AgentRemoteConfig, RemoteConfigStatus } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import {
  composeRemoteConfig,
  remoteConfigStatus,
  sameRemoteConfigStatus,
  unsetRemoteConfigStatus,
} from './opamp-agent.state.ts';
import type { ConfigJudge } from './opamp-agent.state.ts';

/** Which reported fields changed. */
export type RemoteConfigChange = 'effectiveConfig' | 'remoteConfigStatus';

export interface RemoteConfigApplierOptions {
  initialYaml: string;
  judge: ConfigJudge;
  applyDelayMs: number;
  /** Called (possibly later, from a timer) whenever something to report changed. */
  onChange: (changes: readonly RemoteConfigChange[]) => void;
}

export class RemoteConfigApplier {
  readonly #options: RemoteConfigApplierOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  #effectiveYaml: string;
  #status: RemoteConfigStatus = unsetRemoteConfigStatus();

  constructor(options: RemoteConfigApplierOptions) {
    this.#options = options;
    this.#effectiveYaml = options.initialYaml;
  }

  get effectiveYaml(): string {
    return this.#effectiveYaml;
  }

  get status(): RemoteConfigStatus {
    return this.#status;
  }

  /** Starts applying `config`; an apply still in progress is abandoned. */
  receive(config: AgentRemoteConfig): void {
    this.cancel();
    const yaml = composeRemoteConfig(config.config?.configMap ?? {});
    const hash = config.configHash;
    const rejection = this.#options.judge(yaml);
    if (rejection?.stage === 'merge') {
      this.#report([], RemoteConfigStatuses.RemoteConfigStatuses_FAILED, hash, rejection.message);
      return;
    }
    if (!rejection && yaml === this.#effectiveYaml) {
      this.#report([], RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, hash);
      return;
    }
    this.#report([], RemoteConfigStatuses.RemoteConfigStatuses_APPLYING, hash);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (rejection) {
        this.#report([], RemoteConfigStatuses.RemoteConfigStatuses_FAILED, hash, rejection.message);
      } else {
        this.#effectiveYaml = yaml;
        this.#report(['effectiveConfig'], RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, hash);
      }
    }, this.#options.applyDelayMs);
    this.#timers.add(timer);
  }

  /** Abandons an apply in progress (no further reports). */
  cancel(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #report(
    changes: RemoteConfigChange[],
    status: RemoteConfigStatuses,
    hash: Uint8Array,
    errorMessage = '',
  ): void {
    const next = remoteConfigStatus(status, hash, errorMessage);
    if (!sameRemoteConfigStatus(next, this.#status)) {
      this.#status = next;
      changes.push('remoteConfigStatus');
    }
    if (changes.length > 0) this.#options.onChange(changes);
  }
}
