// @majlis/client: the Majlis client SDK. See README.md.
export { MajlisClient, STATUS } from './client.js';
export type {
  ClientOptions, CommandError, CommandOutcome, QueuedCommand, Status, Viewer, WebSocketFactory, WebSocketLike,
} from './client.js';
export { STOP, BACKOFF, LOBBY_CLOSE, backoffDelayMs, closeDecides, closeOutcome, stopReasonOfError } from './reconnect.js';
export type { StopReason, CloseOutcome, BackoffOptions } from './reconnect.js';
export {
  REASON, ASSUMED_TURN_MS_WITHOUT_LIMIT, emptyState, findItem, currentItem, findParticipant, admissionOf,
  audienceOnline, registrationModeOf, hasPendingRequest, findPoll, findContribution, floorElapsedMs, fairGroup,
  fairAttendance, groupKey, attendanceKey, orderWaiting, evolve, HANDLED_KINDS, applyEvents, normalizeEvent, normalizeState,
} from './mirror.js';
export type { EvolveOptions, ApplyResult, MirrorEvent } from './mirror.js';
export { EVENT_KINDS, normalize, plainOf } from './schema.js';
export { api, ApiError, setApiBase, storeToken, loadToken, forgetToken } from './api.js';
export type { CreateMeetingInput, RegisterInput } from './api.js';
export {
  toCommand, encodeClientMessage, decodeServerMessage, encodeServerMessage, decodeClientMessage,
} from './wire.js';
export type { WireFormat, CommandInput } from './wire.js';
export type * from './types.js';
// The generated messages and their schemas (protoc-gen-es), for create/toBinary/fromJson.
export * as pb from './pb.js';
