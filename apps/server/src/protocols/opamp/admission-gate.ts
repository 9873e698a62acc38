/**
 * Lets at most `limit` callers in at once; the others wait in arrival order. A reconnect storm
 * (every agent of a fleet back within seconds of a restart) would otherwise start thousands of
 * authentications, upgrades and first-message writes together, and their callbacks would hold
 * the event loop for seconds at a time: `/healthz` and every other request would wait behind
 * them. Admitted in small groups, the same work interleaves with everything else.
 *
 * @example
 * const leave = await gate.enter();
 * try { await attach(); } finally { leave(); }
 */
export class AdmissionGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Resolves when admitted, to the function that gives the place back (safe to call twice). */
  enter(): Promise<() => void> {
    return new Promise((resolve) => {
      const admit = () => {
        this.active += 1;
        let left = false;
        resolve(() => {
          if (left) return;
          left = true;
          this.active -= 1;
          this.waiting.shift()?.();
        });
      };
      if (this.active < this.limit) admit();
      else this.waiting.push(admit);
    });
  }

  /** Callers waiting to be admitted (metrics, tests). */
  get queued(): number {
    return this.waiting.length;
  }
}
