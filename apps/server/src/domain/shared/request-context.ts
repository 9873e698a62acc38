/** Who asked for a change and from where: recorded on audit rows and `created_by` columns. */
export interface RequestContext {
  /** e.g. `user:admin`, `service-account:ci`, `system`. */
  readonly actor: string;
  readonly sourceIp: string;
}

export const systemContext: RequestContext = { actor: 'system', sourceIp: '' };
