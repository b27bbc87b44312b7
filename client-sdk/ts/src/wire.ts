// Frames on /ws: a ClientMessage or ServerMessage (proto/majlis/v1/wire.proto) as protobuf in a
// binary frame, or as the protobuf JSON mapping in a text frame. A connection speaks the format
// of its first frame (README "Wire protocol").

import { create, fromBinary, fromJson, isMessage, toBinary, toJson } from '@bufbuild/protobuf';
import type { JsonValue } from '@bufbuild/protobuf';
import { CommandSchema } from './gen/majlis/v1/commands_pb.js';
import type { Command } from './gen/majlis/v1/commands_pb.js';
import { ClientMessageSchema, ServerMessageSchema } from './gen/majlis/v1/wire_pb.js';
import type { ClientMessage, ServerMessage } from './gen/majlis/v1/wire_pb.js';

export type WireFormat = 'binary' | 'json';

/** A command in its JSON form, e.g. {requestFloor: {kind: 'REQUEST_KIND_SPEAK'}}, or generated. */
export type CommandInput = Command | { [name: string]: JsonValue };

/** A Command message from its JSON form (throws on unknown commands, fields or enum names). */
export function toCommand(input: CommandInput): Command {
  if (isMessage(input, CommandSchema)) return input;
  // Through JSON text first, as a JSON frame would carry it: fields set to undefined drop out
  // (pages leave optional fields undefined, e.g. {nextSpeaker: {timeLimitMs: undefined}}).
  const command = fromJson(CommandSchema, JSON.parse(JSON.stringify(input)) as JsonValue);
  if (command.kind.case === undefined) throw new Error('empty command');
  return command;
}

export function encodeClientMessage(message: ClientMessage, format: WireFormat): string | Uint8Array {
  return format === 'json'
    ? JSON.stringify(toJson(ClientMessageSchema, message))
    : toBinary(ClientMessageSchema, message);
}

/** A ServerMessage from a frame: text is JSON, anything else protobuf. */
export function decodeServerMessage(data: string | ArrayBuffer | ArrayBufferView): ServerMessage {
  if (typeof data === 'string') {
    return fromJson(ServerMessageSchema, JSON.parse(data) as JsonValue, { ignoreUnknownFields: true });
  }
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return fromBinary(ServerMessageSchema, bytes);
}

/** Server side of the codec, for tests and tools that play the server. */
export function encodeServerMessage(message: ServerMessage, format: WireFormat): string | Uint8Array {
  return format === 'json'
    ? JSON.stringify(toJson(ServerMessageSchema, message))
    : toBinary(ServerMessageSchema, message);
}

export function decodeClientMessage(data: string | ArrayBuffer | ArrayBufferView): ClientMessage {
  if (typeof data === 'string') return fromJson(ClientMessageSchema, JSON.parse(data) as JsonValue);
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return fromBinary(ClientMessageSchema, bytes);
}

export { create, ClientMessageSchema, ServerMessageSchema };
