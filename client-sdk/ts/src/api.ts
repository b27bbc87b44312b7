// The HTTP API helpers the pages use (README "HTTP API") and token storage in localStorage.
// Paths are relative to the page's origin unless a base URL is given (Node, other origins).

/** An HTTP error: the server's error message, with status and code. */
export class ApiError extends Error {
  status: number;
  code: string;
  constructor(message: string, status: number, code: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

let apiBase = '';

/** Sets the origin the api helpers call, e.g. 'http://127.0.0.1:8080' (default: the page's). */
export function setApiBase(base: string): void {
  apiBase = base.replace(/\/$/, '');
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

async function httpJson(method: string, path: string,
  { body, headers = {} }: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Json> {
  const res = await fetch(apiBase + path, {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: Json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const message = json?.error?.message || json?.message || (typeof json?.error === 'string' ? json.error : '')
      || text || res.statusText;
    throw new ApiError(message, res.status, json?.error?.code || '');
  }
  return json;
}

export interface CreateMeetingInput {
  title: string;
  languages: string[];
  stakeholderGroups?: string[];
}

export interface RegisterInput {
  invite: string;
  name: string;
  stakeholderGroup?: string;
  attendance?: string;
}

export const api = {
  createMeeting(adminKey: string, { title, languages, stakeholderGroups }: CreateMeetingInput): Promise<Json> {
    const body: Record<string, unknown> = { title, languages };
    if (stakeholderGroups && stakeholderGroups.length) body.stakeholderGroups = stakeholderGroups;
    return httpJson('POST', '/api/meetings', { body, headers: { Authorization: `Bearer ${adminKey}` } });
  },
  register(meetingId: string, { invite, name, stakeholderGroup, attendance }: RegisterInput): Promise<Json> {
    return httpJson('POST', `/api/meetings/${encodeURIComponent(meetingId)}/register`,
      { body: { invite, name, stakeholderGroup, attendance } });
  },
  // The meeting's links with the current invite code (moderator token), as POST /api/meetings.
  links(meetingId: string, token: string): Promise<Json> {
    return httpJson('GET', `/api/meetings/${encodeURIComponent(meetingId)}/links`,
      { headers: { Authorization: `Bearer ${token}` } });
  },
  // Credentials go in the Authorization header, never in the URL (README "HTTP API").
  summary(meetingId: string, { invite, token }: { invite?: string; token?: string } = {}): Promise<Json> {
    const authorization = invite ? `Invite ${invite}` : `Bearer ${token || ''}`;
    return httpJson('GET', `/api/meetings/${encodeURIComponent(meetingId)}`, { headers: { Authorization: authorization } });
  },
  // A participant token issued with the admin key (README "HTTP API").
  issueToken(adminKey: string, meetingId: string, body: Record<string, unknown>): Promise<Json> {
    return httpJson('POST', `/api/meetings/${encodeURIComponent(meetingId)}/tokens`,
      { body, headers: { Authorization: `Bearer ${adminKey}` } });
  },
};

// ---- token storage ---------------------------------------------------------------------------

const tokenKey = (meetingId: string): string => `majlis.token.${meetingId}`;

export function storeToken(meetingId: string, token: string): boolean {
  try { localStorage.setItem(tokenKey(meetingId), token); return true; } catch { return false; }
}

export function loadToken(meetingId: string): string {
  try { return localStorage.getItem(tokenKey(meetingId)) || ''; } catch { return ''; }
}

export function forgetToken(meetingId: string): void {
  try { localStorage.removeItem(tokenKey(meetingId)); } catch { /* ignore */ }
}
