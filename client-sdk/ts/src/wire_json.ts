// The client's encoder for JSON text frames (format 'json'): the protobuf JSON mapping needs
// toJson, which a binary client does not: MajlisClient imports this module only when asked for
// JSON, so bundles for binary clients (the web pages) leave toJson out.

import { toJson } from '@bufbuild/protobuf';
import { ClientMessageSchema } from './gen/majlis/v1/wire_pb.js';
import type { ClientMessage } from './gen/majlis/v1/wire_pb.js';

export function encodeClientMessageJson(message: ClientMessage): string {
  return JSON.stringify(toJson(ClientMessageSchema, message));
}
