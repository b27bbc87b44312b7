// The meeting state as the mirror keeps it: the protobuf JSON mapping with every field present
// (proto3 defaults filled in), 64-bit integers as Numbers (ms timestamps and seqs fit in 2^53),
// enums by name. Field names are the JSON names (so SpeakersList.floor_taken is `hasFloor`).
// src/schema.ts builds these objects from the generated descriptors; the test "normalized
// shapes match the interfaces" checks that the two agree.

export type Role =
  | 'ROLE_UNSPECIFIED'
  | 'ROLE_MODERATOR'
  | 'ROLE_PARTICIPANT'
  | 'ROLE_DISPLAY'
  | 'ROLE_OBSERVER';

export type Attendance =
  | 'ATTENDANCE_UNSPECIFIED'
  | 'ATTENDANCE_IN_ROOM'
  | 'ATTENDANCE_REMOTE';

export type ErrorCode =
  | 'ERROR_CODE_UNSPECIFIED'
  | 'ERROR_CODE_INVALID_ARGUMENT'
  | 'ERROR_CODE_NOT_FOUND'
  | 'ERROR_CODE_ALREADY_EXISTS'
  | 'ERROR_CODE_PERMISSION_DENIED'
  | 'ERROR_CODE_FAILED_PRECONDITION'
  | 'ERROR_CODE_RESOURCE_EXHAUSTED'
  | 'ERROR_CODE_ABORTED'
  | 'ERROR_CODE_UNAVAILABLE'
  | 'ERROR_CODE_UNAUTHENTICATED'
  | 'ERROR_CODE_INTERNAL'
  | 'ERROR_CODE_PROTOCOL';

export type MeetingStatus =
  | 'MEETING_STATUS_UNSPECIFIED'
  | 'MEETING_STATUS_SCHEDULED'
  | 'MEETING_STATUS_LIVE'
  | 'MEETING_STATUS_ENDED';

export type AgendaItemStatus =
  | 'AGENDA_ITEM_STATUS_UNSPECIFIED'
  | 'AGENDA_ITEM_STATUS_PENDING'
  | 'AGENDA_ITEM_STATUS_ACTIVE'
  | 'AGENDA_ITEM_STATUS_DONE'
  | 'AGENDA_ITEM_STATUS_SKIPPED';

export type RequestKind =
  | 'REQUEST_KIND_UNSPECIFIED'
  | 'REQUEST_KIND_SPEAK'
  | 'REQUEST_KIND_POINT_OF_ORDER'
  | 'REQUEST_KIND_REPLY';

export type PollKind =
  | 'POLL_KIND_UNSPECIFIED'
  | 'POLL_KIND_SINGLE'
  | 'POLL_KIND_MULTIPLE'
  | 'POLL_KIND_YES_NO_ABSTAIN';

export type PollSecrecy =
  | 'POLL_SECRECY_UNSPECIFIED'
  | 'POLL_SECRECY_NAMED'
  | 'POLL_SECRECY_SECRET';

export type ResultsVisibility =
  | 'RESULTS_VISIBILITY_UNSPECIFIED'
  | 'RESULTS_VISIBILITY_LIVE'
  | 'RESULTS_VISIBILITY_AFTER_CLOSE'
  | 'RESULTS_VISIBILITY_ON_PUBLISH';

export type PollStatus =
  | 'POLL_STATUS_UNSPECIFIED'
  | 'POLL_STATUS_DRAFT'
  | 'POLL_STATUS_OPEN'
  | 'POLL_STATUS_CLOSED'
  | 'POLL_STATUS_PUBLISHED';

export type AdmissionStatus =
  | 'ADMISSION_STATUS_UNSPECIFIED'
  | 'ADMISSION_STATUS_ADMITTED'
  | 'ADMISSION_STATUS_LOBBY'
  | 'ADMISSION_STATUS_REMOVED';

export type RegistrationMode =
  | 'REGISTRATION_MODE_UNSPECIFIED'
  | 'REGISTRATION_MODE_OPEN'
  | 'REGISTRATION_MODE_APPROVAL'
  | 'REGISTRATION_MODE_CLOSED';

export interface QueuePolicy {
  firstTimeFirst: boolean;
  alternateAttendance: boolean;
  stakeholderBalance: boolean;
}

export interface AdmissionSettings {
  mode: RegistrationMode;
  registrationCap: number;
  registrations: number;
  inviteNonce: string;
}

export interface MeetingSettings {
  queuePolicy: QueuePolicy;
  defaultSpeakingTimeMs: number;
  admission: AdmissionSettings;
}

export interface CheckInState {
  open: boolean;
  code: string;
  previousCode: string;
  rotatedAtMs: number;
  nextRotationMs: number;
  previousValidUntilMs: number;
}

export interface Participant {
  id: string;
  displayName: string;
  role: Role;
  stakeholderGroup: string;
  attendance: Attendance;
  walkIn: boolean;
  connectionCount: number;
  online: boolean;
  connectionIds: string[];
  admission: AdmissionStatus;
  groupVerified: boolean;
  attendanceVerified: boolean;
  requestedGroup: string;
  requestedAttendance: Attendance;
  checkedInAtMs: number;
  selfRegistered: boolean;
  registeredAtMs: number;
}

export interface Decision {
  text: string;
  recordedAtMs: number;
}

export interface ActionItem {
  text: string;
  owner: string;
  dueDate: string;
  recordedAtMs: number;
}

export interface QueueEntry {
  id: string;
  participantId: string;
  kind: RequestKind;
  requestedAtMs: number;
  requestOrder: number;
  addedByChair: boolean;
  pinned: boolean;
  reason: string;
}

export interface Floor {
  participantId: string;
  entryId: string;
  kind: RequestKind;
  startedAtMs: number;
  timeLimitMs: number;
  paused: boolean;
  pausedAtMs: number;
  elapsedBeforePauseMs: number;
  resumedAtMs: number;
}

export interface Intervention {
  participantId: string;
  itemId: string;
  kind: RequestKind;
  startedAtMs: number;
  endedAtMs: number;
  durationMs: number;
  stakeholderGroup: string;
  attendance: Attendance;
  timeLimitMs: number;
}

export interface SpeakersList {
  closed: boolean;
  waiting: QueueEntry[];
  floor: Floor;
  hasFloor: boolean;
}

export interface AgendaItem {
  id: string;
  title: string;
  description: string;
  plannedMinutes: number;
  presenter: string;
  status: AgendaItemStatus;
  startedAtMs: number;
  endedAtMs: number;
  decisions: Decision[];
  actionItems: ActionItem[];
  speakers: SpeakersList;
}

export interface Ballot {
  voterId: string;
  choices: number[];
}

export interface Poll {
  id: string;
  itemId: string;
  question: string;
  kind: PollKind;
  secrecy: PollSecrecy;
  visibility: ResultsVisibility;
  options: string[];
  minChoices: number;
  maxChoices: number;
  eligibleRoles: Role[];
  status: PollStatus;
  deadlineMs: number;
  openedAtMs: number;
  closedAtMs: number;
  voterIds: string[];
  tally: number[];
  tallyVisible: boolean;
  ballots: Ballot[];
  myChoices: number[];
  eligibleOnlineAtClose: number;
}

export interface Contribution {
  id: string;
  itemId: string;
  authorId: string;
  text: string;
  createdAtMs: number;
  upvoterIds: string[];
  upvotes: number;
  answered: boolean;
  hidden: boolean;
}

export interface SpeakingFigure {
  key: string;
  speakingMs: number;
  turns: number;
}

export interface EquityFigures {
  byGroup: SpeakingFigure[];
  byAttendance: SpeakingFigure[];
}

export interface MeetingState {
  meetingId: string;
  title: string;
  languages: string[];
  status: MeetingStatus;
  stakeholderGroups: string[];
  settings: MeetingSettings;
  participants: Participant[];
  agenda: AgendaItem[];
  currentItemId: string;
  polls: Poll[];
  contributions: Contribution[];
  interventions: Intervention[];
  equity: EquityFigures;
  seq: number;
  nextRequestOrder: number;
  createdAtMs: number;
  startedAtMs: number;
  endedAtMs: number;
  checkIn: CheckInState;
  onScreenContributionId: string;
  audience: AudienceCount[];
}

// Observers and displays online on one instance: counted, not listed in participants.
export interface AudienceCount {
  instanceId: string;
  observers: number;
  displays: number;
}

export interface MeetingCreated {
  meetingId: string;
  title: string;
  languages: string[];
  stakeholderGroups: string[];
  settings: MeetingSettings;
}

export interface MeetingStarted {
}

export interface MeetingEnded {
}

export interface MeetingUpdated {
  title: string;
  languages: string[];
  stakeholderGroups: string[];
}

export interface QueuePolicyChanged {
  policy: QueuePolicy;
}

export interface DefaultSpeakingTimeChanged {
  timeLimitMs: number;
}

export interface ParticipantAdded {
  participant: Participant;
}

export interface ParticipantUpdated {
  participantId: string;
  displayName: string;
  stakeholderGroup: string;
  attendance: Attendance;
}

export interface ParticipantRegistered {
  participant: Participant;
}

export interface RegistrationChanged {
  mode: RegistrationMode;
  registrationCap: number;
}

export interface InviteCodeRotated {
  inviteNonce: string;
}

export interface ParticipantAdmitted {
  participantId: string;
  stakeholderGroup: string;
  attendance: Attendance;
  groupVerified: boolean;
  attendanceVerified: boolean;
}

export interface ParticipantRemoved {
  participantId: string;
}

export interface ParticipantVerified {
  participantId: string;
  stakeholderGroup: string;
  attendance: Attendance;
}

export interface ParticipantChangeRequested {
  participantId: string;
  stakeholderGroup: string;
  attendance: Attendance;
}

export interface ParticipantRequestAnswered {
  participantId: string;
  accepted: boolean;
}

export interface CheckInChanged {
  open: boolean;
}

export interface CheckInCodeRotated {
  code: string;
  nextRotationMs: number;
  previousValidUntilMs: number;
}

export interface ParticipantCheckedIn {
  participantId: string;
}

export interface ConnectionOpened {
  participantId: string;
  connectionId: string;
  instanceId: string;
}

export interface ConnectionClosed {
  participantId: string;
  connectionId: string;
  instanceId: string;
}

export interface PresenceChanged {
  added: Participant[];
  opened: ConnectionOpened[];
  closed: ConnectionClosed[];
  audience: AudienceCount[];
}

export interface AgendaItemAdded {
  item: AgendaItem;
  position: number;
}

export interface AgendaItemUpdated {
  itemId: string;
  title: string;
  description: string;
  plannedMinutes: number;
  presenter: string;
}

export interface AgendaItemMoved {
  itemId: string;
  position: number;
}

export interface AgendaItemRemoved {
  itemId: string;
}

export interface AgendaItemStarted {
  itemId: string;
}

export interface AgendaItemClosed {
  itemId: string;
  skipped: boolean;
}

export interface AgendaItemReopened {
  itemId: string;
}

export interface DecisionRecorded {
  itemId: string;
  decision: Decision;
}

export interface ActionItemRecorded {
  itemId: string;
  actionItem: ActionItem;
}

export interface FloorRequested {
  itemId: string;
  entry: QueueEntry;
}

export interface RequestWithdrawn {
  itemId: string;
  entryId: string;
  byChair: boolean;
}

export interface RequestMoved {
  itemId: string;
  entryId: string;
  position: number;
}

export interface ListClosedChanged {
  itemId: string;
  closed: boolean;
}

export interface FloorGranted {
  itemId: string;
  floor: Floor;
}

export interface FloorPaused {
  itemId: string;
  atMs: number;
}

export interface FloorResumed {
  itemId: string;
  atMs: number;
}

export interface TurnEnded {
  intervention: Intervention;
}

export interface TurnTimeLimitChanged {
  itemId: string;
  timeLimitMs: number;
}

export interface PollCreated {
  poll: Poll;
}

export interface PollOpened {
  pollId: string;
}

export interface PollClosed {
  pollId: string;
  tally: number[];
  eligibleOnline: number;
  byDeadline: boolean;
}

export interface PollPublished {
  pollId: string;
  tally: number[];
  ballots: Ballot[];
}

export interface PollDeleted {
  pollId: string;
}

export interface BallotCast {
  pollId: string;
  voterId: string;
  choices: number[];
  replacesPrevious: boolean;
}

export interface ContributionSubmitted {
  contribution: Contribution;
}

export interface ContributionUpvoted {
  contributionId: string;
  voterId: string;
}

export interface ContributionMarked {
  contributionId: string;
  answered: boolean;
  hidden: boolean;
  contribution: Contribution | null; // present only when carried
}

export interface ContributionShown {
  contributionId: string;
}
