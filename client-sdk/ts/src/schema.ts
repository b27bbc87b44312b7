// From the generated protobuf messages (src/gen, protoc-gen-es) to the mirror's plain objects
// (src/types.ts): every field present, JSON field names, 64-bit integers as Numbers, enums by
// name. Driven by the message descriptors, so a field added to proto/ appears here by itself.
// Pure module: no DOM, importable by Node.

import { ScalarType, fromJson, isMessage } from '@bufbuild/protobuf';
import type { DescEnum, DescField, DescMessage, JsonValue } from '@bufbuild/protobuf';
import { EventSchema } from './gen/majlis/v1/events_pb.js';
import type { Event } from './gen/majlis/v1/events_pb.js';
import { MeetingStateSchema } from './gen/majlis/v1/state_pb.js';
import type { MeetingState as MeetingStateMessage } from './gen/majlis/v1/state_pb.js';
import type { MeetingState } from './types.js';

/** Plain JSON-like object with every field set (see src/types.ts for the typed shapes). */
export type Plain = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Singular message fields that keep proto presence (null when absent) instead of defaulting:
// a ContributionMarked carries the contribution only when a hidden one is shown again.
const PRESENCE = new Set(['majlis.v1.ContributionMarked.contribution']);

const INT64 = new Set([ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64, ScalarType.FIXED64,
  ScalarType.SFIXED64]);

function scalar(type: ScalarType, value: unknown): unknown {
  if (type === ScalarType.STRING) return typeof value === 'string' ? value : '';
  if (type === ScalarType.BOOL) return value === true;
  if (INT64.has(type)) {
    const n = value === undefined || value === null ? 0 : Number(value as bigint | string | number);
    return Number.isFinite(n) ? n : 0;
  }
  return typeof value === 'number' ? value : 0;
}

function enumName(desc: DescEnum, value: unknown): string {
  const n = typeof value === 'number' ? value : 0;
  return (desc.value[n] ?? desc.values[0]).name;
}

function field(f: DescField, value: unknown): unknown {
  switch (f.fieldKind) {
    case 'scalar':
      return scalar(f.scalar, value);
    case 'enum':
      return enumName(f.enum, value);
    case 'message':
      if (PRESENCE.has(f.parent.typeName + '.' + f.name) && value == null) return null;
      return plainOf(f.message, value as Plain | undefined);
    case 'list': {
      const list = Array.isArray(value) ? value : [];
      if (f.listKind === 'scalar') return list.map((v) => scalar(f.scalar, v));
      if (f.listKind === 'enum') return list.map((v) => enumName(f.enum, v));
      return list.map((v) => plainOf(f.message, v as Plain));
    }
    case 'map':
      return { ...(value as object | undefined) };
  }
}

// Bytes fields (sealed ballots and tallies) live in the server's log only and are never sent
// to clients: the plain form leaves them out. Oneof members are left to the caller.
function kept(f: DescField): boolean {
  if (f.oneof) return false;
  return !(f.fieldKind === 'scalar' && f.scalar === ScalarType.BYTES)
    && !(f.fieldKind === 'list' && f.listKind === 'scalar' && f.scalar === ScalarType.BYTES);
}

/** The plain form of a generated message (or of an absent one: all defaults). */
export function plainOf(desc: DescMessage, message: Plain | undefined | null): Plain {
  const out: Plain = {};
  for (const f of desc.fields) {
    if (!kept(f)) continue;
    out[f.jsonName] = field(f, message ? message[f.localName] : undefined);
  }
  return out;
}

/** A mirror event: kind is the Event oneof's JSON name, or null for a redacted stub. */
export interface MirrorEvent {
  seq: number;
  atMs: number;
  actorId: string;
  kind: string | null;
  body: Plain | null;
}

const EVENT_ONEOF = EventSchema.oneofs[0];

/** The Event oneof: JSON field name -> message type name (e.g. floorGranted -> FloorGranted). */
export const EVENT_KINDS: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(
  EVENT_ONEOF.fields.map((f) => [f.jsonName, f.message ? f.message.name : ''])));

const EVENT_BODY = new Map(EVENT_ONEOF.fields.map((f) => [f.localName, f]));

const JSON_READ = { ignoreUnknownFields: true };

/** A mirror event from a generated Event, or from its protobuf JSON form. */
export function normalizeEvent(input: Event | JsonValue | undefined): MirrorEvent {
  const e: Event = isMessage(input, EventSchema) ? input
    : fromJson(EventSchema, (input ?? {}) as JsonValue, JSON_READ);
  const event: MirrorEvent = { seq: Number(e.seq), atMs: Number(e.atMs), actorId: e.actorId, kind: null, body: null };
  const kind = e.kind;
  if (kind.case !== undefined) {
    const f = EVENT_BODY.get(kind.case);
    if (f && f.message) {
      event.kind = f.jsonName;
      event.body = plainOf(f.message, kind.value as unknown as Plain);
    }
  }
  return event;
}

/** The mirror's state from a generated MeetingState, or from its protobuf JSON form. */
export function normalizeState(input: MeetingStateMessage | JsonValue | undefined): MeetingState {
  const s: MeetingStateMessage = isMessage(input, MeetingStateSchema) ? input
    : fromJson(MeetingStateSchema, (input ?? {}) as JsonValue, JSON_READ);
  return plainOf(MeetingStateSchema, s as unknown as Plain) as MeetingState;
}

/** The plain form of any message type given its generated schema, from JSON or defaults. */
export function normalize<T = Plain>(desc: DescMessage, json?: JsonValue): T {
  return plainOf(desc, fromJson(desc, json ?? {}, JSON_READ) as unknown as Plain) as T;
}
