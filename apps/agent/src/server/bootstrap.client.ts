import {
  bootstrapResponse,
  type BootstrapRequest,
  type BootstrapResponse,
} from '@linkmesh/contracts/agent-api';
import { isFailure, postJson, statusFailure, type HttpFailure } from './http.ts';

/**
 * `POST <server>/api/v1/bootstrap`: redeems the enrollment token. The token goes in the
 * Authorization header too, so the server checks it before it reads the body.
 */
export async function redeemEnrollmentToken(
  serverUrl: string,
  request: BootstrapRequest,
): Promise<BootstrapResponse | HttpFailure> {
  const response = await postJson(`${serverUrl}/api/v1/bootstrap`, request, {
    bearer: request.token,
    timeoutMs: 30_000,
  });
  if (isFailure(response)) return response;
  if (!response.ok) return statusFailure(response);
  const parsed = bootstrapResponse.safeParse(await response.json().catch(() => null));
  if (!parsed.success)
    return {
      kind: 'invalid_answer',
      status: response.status,
      message: 'the answer does not match the bootstrap contract',
    };
  return parsed.data;
}
