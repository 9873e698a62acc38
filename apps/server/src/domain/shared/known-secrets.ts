/**
 * The secret values LinkMesh itself renders into collector configs (destination credentials),
 * so that what collectors report back — effective configs, apply errors — is redacted by value
 * and not only by shape: a custom header such as `X-Api-Key: …` has no telling key name.
 */
export class KnownSecrets {
  /** Longest first, so a secret that contains another is replaced whole. */
  private values: readonly string[] = [];

  /** Values shorter than this are left alone: they would also match ordinary words. */
  static readonly minLength = 6;

  set(values: Iterable<string>): void {
    this.values = [...new Set(values)]
      .filter((v) => v.length >= KnownSecrets.minLength)
      .sort((a, b) => b.length - a.length);
  }

  /** The text with every known secret value replaced by `[redacted]`. */
  redact(text: string): string {
    let out = text;
    for (const value of this.values) if (out.includes(value)) out = out.replaceAll(value, '[redacted]');
    return out;
  }
}
