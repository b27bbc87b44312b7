// The proto vocabulary (proto/majlis/v1/*.proto) as data, so that JSON from the wire — where
// proto3 omits every default value — can be turned into complete objects with every field set.
// int64/uint64 arrive as strings and become Numbers (ms timestamps and seqs fit in 2^53).
// Pure module: no DOM, importable by Node.

export const ENUMS = {
  Role: ['ROLE_UNSPECIFIED', 'ROLE_MODERATOR', 'ROLE_PARTICIPANT', 'ROLE_DISPLAY', 'ROLE_OBSERVER'],
  Attendance: ['ATTENDANCE_UNSPECIFIED', 'ATTENDANCE_IN_ROOM', 'ATTENDANCE_REMOTE'],
  ErrorCode: [
    'ERROR_CODE_UNSPECIFIED', 'ERROR_CODE_INVALID_ARGUMENT', 'ERROR_CODE_NOT_FOUND',
    'ERROR_CODE_ALREADY_EXISTS', 'ERROR_CODE_PERMISSION_DENIED', 'ERROR_CODE_FAILED_PRECONDITION',
    'ERROR_CODE_RESOURCE_EXHAUSTED', 'ERROR_CODE_ABORTED', 'ERROR_CODE_UNAVAILABLE',
    'ERROR_CODE_UNAUTHENTICATED', 'ERROR_CODE_INTERNAL', 'ERROR_CODE_PROTOCOL',
  ],
  MeetingStatus: ['MEETING_STATUS_UNSPECIFIED', 'MEETING_STATUS_SCHEDULED', 'MEETING_STATUS_LIVE', 'MEETING_STATUS_ENDED'],
  AgendaItemStatus: [
    'AGENDA_ITEM_STATUS_UNSPECIFIED', 'AGENDA_ITEM_STATUS_PENDING', 'AGENDA_ITEM_STATUS_ACTIVE',
    'AGENDA_ITEM_STATUS_DONE', 'AGENDA_ITEM_STATUS_SKIPPED',
  ],
  RequestKind: ['REQUEST_KIND_UNSPECIFIED', 'REQUEST_KIND_SPEAK', 'REQUEST_KIND_POINT_OF_ORDER', 'REQUEST_KIND_REPLY'],
  PollKind: ['POLL_KIND_UNSPECIFIED', 'POLL_KIND_SINGLE', 'POLL_KIND_MULTIPLE', 'POLL_KIND_YES_NO_ABSTAIN'],
  PollSecrecy: ['POLL_SECRECY_UNSPECIFIED', 'POLL_SECRECY_NAMED', 'POLL_SECRECY_SECRET'],
  ResultsVisibility: [
    'RESULTS_VISIBILITY_UNSPECIFIED', 'RESULTS_VISIBILITY_LIVE', 'RESULTS_VISIBILITY_AFTER_CLOSE',
    'RESULTS_VISIBILITY_ON_PUBLISH',
  ],
  PollStatus: ['POLL_STATUS_UNSPECIFIED', 'POLL_STATUS_DRAFT', 'POLL_STATUS_OPEN', 'POLL_STATUS_CLOSED', 'POLL_STATUS_PUBLISHED'],
  AdmissionStatus: [
    'ADMISSION_STATUS_UNSPECIFIED', 'ADMISSION_STATUS_ADMITTED', 'ADMISSION_STATUS_LOBBY', 'ADMISSION_STATUS_REMOVED',
  ],
  RegistrationMode: [
    'REGISTRATION_MODE_UNSPECIFIED', 'REGISTRATION_MODE_OPEN', 'REGISTRATION_MODE_APPROVAL', 'REGISTRATION_MODE_CLOSED',
  ],
};

// Field types: 'string', 'bool', 'int' (int32/uint32), 'int64' (int64/uint64),
// 'enum:Name', 'msg:Name'; a trailing '[]' makes it repeated.
// A message's '$oneof' lists fields that stay absent (null) unless set.
export const MESSAGES = {
  // state.proto
  QueuePolicy: { firstTimeFirst: 'bool', alternateAttendance: 'bool', stakeholderBalance: 'bool' },
  AdmissionSettings: {
    mode: 'enum:RegistrationMode', registrationCap: 'int', registrations: 'int', inviteNonce: 'string',
  },
  MeetingSettings: {
    queuePolicy: 'msg:QueuePolicy', defaultSpeakingTimeMs: 'int64', admission: 'msg:AdmissionSettings',
  },
  CheckInState: {
    open: 'bool', code: 'string', previousCode: 'string', rotatedAtMs: 'int64', nextRotationMs: 'int64',
    previousValidUntilMs: 'int64',
  },
  Participant: {
    id: 'string', displayName: 'string', role: 'enum:Role', stakeholderGroup: 'string',
    attendance: 'enum:Attendance', walkIn: 'bool', connectionCount: 'int', online: 'bool',
    connectionIds: 'string[]', admission: 'enum:AdmissionStatus', groupVerified: 'bool',
    attendanceVerified: 'bool', requestedGroup: 'string', requestedAttendance: 'enum:Attendance',
    checkedInAtMs: 'int64', selfRegistered: 'bool', registeredAtMs: 'int64',
  },
  Decision: { text: 'string', recordedAtMs: 'int64' },
  ActionItem: { text: 'string', owner: 'string', dueDate: 'string', recordedAtMs: 'int64' },
  QueueEntry: {
    id: 'string', participantId: 'string', kind: 'enum:RequestKind', requestedAtMs: 'int64',
    requestOrder: 'int64', addedByChair: 'bool', pinned: 'bool', reason: 'string',
  },
  Floor: {
    participantId: 'string', entryId: 'string', kind: 'enum:RequestKind', startedAtMs: 'int64',
    timeLimitMs: 'int64', paused: 'bool', pausedAtMs: 'int64', elapsedBeforePauseMs: 'int64',
    resumedAtMs: 'int64',
  },
  Intervention: {
    participantId: 'string', itemId: 'string', kind: 'enum:RequestKind', startedAtMs: 'int64',
    endedAtMs: 'int64', durationMs: 'int64', stakeholderGroup: 'string',
    attendance: 'enum:Attendance', timeLimitMs: 'int64',
  },
  SpeakersList: { closed: 'bool', waiting: 'msg:QueueEntry[]', floor: 'msg:Floor', hasFloor: 'bool' },
  AgendaItem: {
    id: 'string', title: 'string', description: 'string', plannedMinutes: 'int', presenter: 'string',
    status: 'enum:AgendaItemStatus', startedAtMs: 'int64', endedAtMs: 'int64',
    decisions: 'msg:Decision[]', actionItems: 'msg:ActionItem[]', speakers: 'msg:SpeakersList',
  },
  Ballot: { voterId: 'string', choices: 'int[]' },
  Poll: {
    id: 'string', itemId: 'string', question: 'string', kind: 'enum:PollKind',
    secrecy: 'enum:PollSecrecy', visibility: 'enum:ResultsVisibility', options: 'string[]',
    minChoices: 'int', maxChoices: 'int', eligibleRoles: 'enum:Role[]', status: 'enum:PollStatus',
    deadlineMs: 'int64', openedAtMs: 'int64', closedAtMs: 'int64', voterIds: 'string[]',
    tally: 'int[]', tallyVisible: 'bool', ballots: 'msg:Ballot[]', myChoices: 'int[]',
    eligibleOnlineAtClose: 'int',
  },
  Contribution: {
    id: 'string', itemId: 'string', authorId: 'string', text: 'string', createdAtMs: 'int64',
    upvoterIds: 'string[]', upvotes: 'int', answered: 'bool', hidden: 'bool',
  },
  SpeakingFigure: { key: 'string', speakingMs: 'int64', turns: 'int' },
  EquityFigures: { byGroup: 'msg:SpeakingFigure[]', byAttendance: 'msg:SpeakingFigure[]' },
  MeetingState: {
    meetingId: 'string', title: 'string', languages: 'string[]', status: 'enum:MeetingStatus',
    stakeholderGroups: 'string[]', settings: 'msg:MeetingSettings', participants: 'msg:Participant[]',
    agenda: 'msg:AgendaItem[]', currentItemId: 'string', polls: 'msg:Poll[]',
    contributions: 'msg:Contribution[]', interventions: 'msg:Intervention[]',
    equity: 'msg:EquityFigures', seq: 'int64', nextRequestOrder: 'int64', createdAtMs: 'int64',
    startedAtMs: 'int64', endedAtMs: 'int64', checkIn: 'msg:CheckInState',
    audience: 'msg:AudienceCount[]',
  },
  AudienceCount: { instanceId: 'string', observers: 'int', displays: 'int' },

  // events.proto
  MeetingCreated: {
    meetingId: 'string', title: 'string', languages: 'string[]', stakeholderGroups: 'string[]',
    settings: 'msg:MeetingSettings',
  },
  MeetingStarted: {},
  MeetingEnded: {},
  MeetingUpdated: { title: 'string', languages: 'string[]', stakeholderGroups: 'string[]' },
  QueuePolicyChanged: { policy: 'msg:QueuePolicy' },
  DefaultSpeakingTimeChanged: { timeLimitMs: 'int64' },
  ParticipantAdded: { participant: 'msg:Participant' },
  ParticipantUpdated: {
    participantId: 'string', displayName: 'string', stakeholderGroup: 'string', attendance: 'enum:Attendance',
  },
  ParticipantRegistered: { participant: 'msg:Participant' },
  RegistrationChanged: { mode: 'enum:RegistrationMode', registrationCap: 'int' },
  InviteCodeRotated: { inviteNonce: 'string' },
  ParticipantAdmitted: {
    participantId: 'string', stakeholderGroup: 'string', attendance: 'enum:Attendance',
    groupVerified: 'bool', attendanceVerified: 'bool',
  },
  ParticipantRemoved: { participantId: 'string' },
  ParticipantVerified: { participantId: 'string', stakeholderGroup: 'string', attendance: 'enum:Attendance' },
  ParticipantChangeRequested: { participantId: 'string', stakeholderGroup: 'string', attendance: 'enum:Attendance' },
  ParticipantRequestAnswered: { participantId: 'string', accepted: 'bool' },
  CheckInChanged: { open: 'bool' },
  CheckInCodeRotated: { code: 'string', nextRotationMs: 'int64', previousValidUntilMs: 'int64' },
  ParticipantCheckedIn: { participantId: 'string' },
  ConnectionOpened: { participantId: 'string', connectionId: 'string', instanceId: 'string' },
  ConnectionClosed: { participantId: 'string', connectionId: 'string', instanceId: 'string' },
  PresenceChanged: {
    added: 'msg:Participant[]', opened: 'msg:ConnectionOpened[]', closed: 'msg:ConnectionClosed[]',
    audience: 'msg:AudienceCount[]',
  },
  AgendaItemAdded: { item: 'msg:AgendaItem', position: 'int' },
  AgendaItemUpdated: {
    itemId: 'string', title: 'string', description: 'string', plannedMinutes: 'int', presenter: 'string',
  },
  AgendaItemMoved: { itemId: 'string', position: 'int' },
  AgendaItemRemoved: { itemId: 'string' },
  AgendaItemStarted: { itemId: 'string' },
  AgendaItemClosed: { itemId: 'string', skipped: 'bool' },
  AgendaItemReopened: { itemId: 'string' },
  DecisionRecorded: { itemId: 'string', decision: 'msg:Decision' },
  ActionItemRecorded: { itemId: 'string', actionItem: 'msg:ActionItem' },
  FloorRequested: { itemId: 'string', entry: 'msg:QueueEntry' },
  RequestWithdrawn: { itemId: 'string', entryId: 'string', byChair: 'bool' },
  RequestMoved: { itemId: 'string', entryId: 'string', position: 'int' },
  ListClosedChanged: { itemId: 'string', closed: 'bool' },
  FloorGranted: { itemId: 'string', floor: 'msg:Floor' },
  FloorPaused: { itemId: 'string', atMs: 'int64' },
  FloorResumed: { itemId: 'string', atMs: 'int64' },
  TurnEnded: { intervention: 'msg:Intervention' },
  TurnTimeLimitChanged: { itemId: 'string', timeLimitMs: 'int64' },
  PollCreated: { poll: 'msg:Poll' },
  PollOpened: { pollId: 'string' },
  PollClosed: { pollId: 'string', tally: 'int[]', eligibleOnline: 'int', byDeadline: 'bool' },
  PollPublished: { pollId: 'string', tally: 'int[]', ballots: 'msg:Ballot[]' },
  PollDeleted: { pollId: 'string' },
  // sealed_choices (bytes) exists only in the event log; clients are never sent it.
  BallotCast: { pollId: 'string', voterId: 'string', choices: 'int[]', replacesPrevious: 'bool' },
  ContributionSubmitted: { contribution: 'msg:Contribution' },
  ContributionUpvoted: { contributionId: 'string', voterId: 'string' },
  ContributionMarked: { contributionId: 'string', answered: 'bool', hidden: 'bool', contribution: 'msg:Contribution' },
};

// The Event oneof: JSON field name -> message type.
export const EVENT_KINDS = {
  meetingCreated: 'MeetingCreated', meetingStarted: 'MeetingStarted', meetingEnded: 'MeetingEnded',
  meetingUpdated: 'MeetingUpdated', queuePolicyChanged: 'QueuePolicyChanged',
  defaultSpeakingTimeChanged: 'DefaultSpeakingTimeChanged', participantAdded: 'ParticipantAdded',
  participantUpdated: 'ParticipantUpdated', connectionOpened: 'ConnectionOpened',
  connectionClosed: 'ConnectionClosed', presenceChanged: 'PresenceChanged', agendaItemAdded: 'AgendaItemAdded',
  agendaItemUpdated: 'AgendaItemUpdated', agendaItemMoved: 'AgendaItemMoved',
  agendaItemRemoved: 'AgendaItemRemoved', agendaItemStarted: 'AgendaItemStarted',
  agendaItemClosed: 'AgendaItemClosed', agendaItemReopened: 'AgendaItemReopened',
  decisionRecorded: 'DecisionRecorded', actionItemRecorded: 'ActionItemRecorded',
  floorRequested: 'FloorRequested', requestWithdrawn: 'RequestWithdrawn', requestMoved: 'RequestMoved',
  listClosedChanged: 'ListClosedChanged', floorGranted: 'FloorGranted', floorPaused: 'FloorPaused',
  floorResumed: 'FloorResumed', turnEnded: 'TurnEnded', turnTimeLimitChanged: 'TurnTimeLimitChanged',
  pollCreated: 'PollCreated', pollOpened: 'PollOpened', pollClosed: 'PollClosed',
  pollPublished: 'PollPublished', pollDeleted: 'PollDeleted', ballotCast: 'BallotCast',
  contributionSubmitted: 'ContributionSubmitted', contributionUpvoted: 'ContributionUpvoted',
  contributionMarked: 'ContributionMarked',
  participantRegistered: 'ParticipantRegistered', registrationChanged: 'RegistrationChanged',
  inviteCodeRotated: 'InviteCodeRotated', participantAdmitted: 'ParticipantAdmitted',
  participantRemoved: 'ParticipantRemoved', participantVerified: 'ParticipantVerified',
  participantChangeRequested: 'ParticipantChangeRequested',
  participantRequestAnswered: 'ParticipantRequestAnswered', checkInChanged: 'CheckInChanged',
  checkInCodeRotated: 'CheckInCodeRotated', participantCheckedIn: 'ParticipantCheckedIn',
};

// Singular message fields that keep proto presence (null when absent) instead of defaulting.
const PRESENCE = {
  ContributionMarked: new Set(['contribution']),
};

// Accepts an enum's name, its number (the parser's other accepted form), or nothing.
function normalizeEnum(name, value) {
  const names = ENUMS[name];
  if (typeof value === 'number') return names[value] ?? names[0];
  if (typeof value === 'string' && names.includes(value)) return value;
  return names[0];
}

function normalizeScalar(type, value) {
  if (type === 'string') return typeof value === 'string' ? value : '';
  if (type === 'bool') return value === true;
  if (type === 'int' || type === 'int64') {
    const n = typeof value === 'string' ? Number(value) : value;
    return Number.isFinite(n) ? n : 0;
  }
  if (type.startsWith('enum:')) return normalizeEnum(type.slice(5), value);
  throw new Error(`unknown type ${type}`);
}

function normalizeField(type, value) {
  if (type.endsWith('[]')) {
    const inner = type.slice(0, -2);
    return Array.isArray(value) ? value.map((v) => normalizeField(inner, v)) : [];
  }
  if (type.startsWith('msg:')) return normalize(type.slice(4), value);
  return normalizeScalar(type, value);
}

// Returns a complete object of message type `name` from its (possibly sparse) JSON form.
export function normalize(name, json) {
  const fields = MESSAGES[name];
  if (!fields) throw new Error(`unknown message ${name}`);
  const src = json && typeof json === 'object' ? json : {};
  const out = {};
  const presence = PRESENCE[name];
  for (const [field, type] of Object.entries(fields)) {
    if (presence && presence.has(field)) {
      out[field] = src[field] == null ? null : normalizeField(type, src[field]);
    } else {
      out[field] = normalizeField(type, src[field]);
    }
  }
  return out;
}

// An Event: {seq, atMs, actorId, kind, body}. kind is null for a redacted stub.
export function normalizeEvent(json) {
  const src = json && typeof json === 'object' ? json : {};
  const event = {
    seq: normalizeScalar('int64', src.seq),
    atMs: normalizeScalar('int64', src.atMs),
    actorId: normalizeScalar('string', src.actorId),
    kind: null,
    body: null,
  };
  for (const [field, type] of Object.entries(EVENT_KINDS)) {
    if (src[field] != null) {
      event.kind = field;
      event.body = normalize(type, src[field]);
      break;
    }
  }
  return event;
}

export function normalizeState(json) {
  return normalize('MeetingState', json);
}
