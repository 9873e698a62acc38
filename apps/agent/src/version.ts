/** The agent's version, sent in every report (kept equal to package.json by a test; no JSON import so the bundle stays simple). */
export const agentVersion = '0.1.0';
