import {
  agentReportResponse,
  type AgentReportRequest,
  type AgentReportResponse,
} from '@linkmesh/contracts/agent-api';
import { isFailure, postJson, statusFailure, type HttpFailure } from './http.ts';

/** `POST /api/v1/agent/report` with the collector bearer. */
export async function sendAgentReport(
  url: string,
  bearer: string,
  report: AgentReportRequest,
  timeoutMs: number,
): Promise<AgentReportResponse | HttpFailure> {
  const response = await postJson(url, report, { bearer, timeoutMs });
  if (isFailure(response)) return response;
  if (!response.ok) return statusFailure(response);
  const parsed = agentReportResponse.safeParse(await response.json().catch(() => null));
  if (!parsed.success)
    return {
      kind: 'invalid_answer',
      status: response.status,
      message: 'the answer does not match the report contract',
    };
  return parsed.data;
}
