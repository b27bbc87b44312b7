// A WebSocket stand-in for the client tests: records what the client sends (decoded) and lets
// the test play the server (welcome, events, results, closes) in either wire format.

import { fromJson } from '@bufbuild/protobuf';
import type { JsonValue } from '@bufbuild/protobuf';
import { ServerMessageSchema } from '../gen/majlis/v1/wire_pb.js';
import type { ClientMessage } from '../gen/majlis/v1/wire_pb.js';
import type { WebSocketLike } from '../client.js';
import { decodeClientMessage, encodeServerMessage } from '../wire.js';
import type { WireFormat } from '../wire.js';

export class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  binaryType = 'blob';
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  readonly frames: (string | Uint8Array)[] = [];
  readonly sent: ClientMessage[] = [];
  closedWith: number | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  static reset(): void {
    FakeSocket.all = [];
  }

  static last(): FakeSocket {
    const s = FakeSocket.all.at(-1);
    if (!s) throw new Error('no socket yet');
    return s;
  }

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.frames.push(data);
    this.sent.push(decodeClientMessage(data));
  }

  close(code?: number): void {
    this.closedWith = code ?? 1000;
    this.readyState = 3;
  }

  // ---- the server's side ----

  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Sends a ServerMessage given in its JSON form, e.g. {welcome: {...}}. */
  deliver(json: JsonValue, format: WireFormat = 'binary'): void {
    const message = fromJson(ServerMessageSchema, json);
    this.onmessage?.({ data: encodeServerMessage(message, format) });
  }

  /** The connection ends (1006: no close frame, as when the network goes). */
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** The commands sent on this socket, in order: [requestId, command kind]. */
  commands(): [string, string][] {
    return this.sent.flatMap((m) => (m.kind.case === 'command'
      ? [[String(m.kind.value.requestId), String(m.kind.value.command?.kind.case)] as [string, string]] : []));
  }
}

/** Polls cond every 5 ms until it holds; fails after timeoutMs. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
