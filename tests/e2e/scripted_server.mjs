// A scripted stand-in for majlisd, for client behaviour the real server cannot be made to show
// on demand (a seq gap, a dropped connection): serves the built pages and speaks just enough
// WebSocket (RFC 6455 text frames) to run a script per connection. Node standard library only.

import http from 'node:http';
import crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

function encodeFrame(opcode, payload) {
  const len = payload.length;
  let header;
  if (len < 126) header = Buffer.from([0x80 | opcode, len]);
  else if (len < 65536) header = Buffer.from([0x80 | opcode, 126, len >> 8, len & 255]);
  else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([header, payload]);
}

// One WebSocket peer: emits 'message' (parsed JSON) and 'close'.
class Peer {
  constructor(socket, index) {
    this.socket = socket;
    this.index = index;
    this.buffer = Buffer.alloc(0);
    this.handlers = { message: [], close: [] };
    this.closed = false;
    socket.on('data', (d) => this.onData(d));
    socket.on('close', () => this.emit('close'));
    socket.on('error', () => {});
  }
  on(name, fn) { this.handlers[name].push(fn); }
  emit(name, arg) {
    if (name === 'close') { if (this.closed) return; this.closed = true; }
    for (const fn of this.handlers[name]) fn(arg);
  }
  send(message) {
    if (!this.closed) this.socket.write(encodeFrame(1, Buffer.from(JSON.stringify(message))));
  }
  close(code = 1000) {
    if (this.closed) return;
    this.socket.write(encodeFrame(8, Buffer.from([code >> 8, code & 255])));
    this.socket.end();
    this.emit('close');
  }
  onData(data) {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      const opcode = b[0] & 15;
      let len = b[1] & 127;
      let at = 2;
      if (len === 126) { if (b.length < 4) return; len = b.readUInt16BE(2); at = 4; }
      else if (len === 127) { if (b.length < 10) return; len = Number(b.readBigUInt64BE(2)); at = 10; }
      const masked = (b[1] & 128) !== 0;
      const maskAt = at;
      if (masked) at += 4;
      if (b.length < at + len) return;
      const payload = Buffer.from(b.subarray(at, at + len));
      if (masked) for (let i = 0; i < len; i++) payload[i] ^= b[maskAt + (i % 4)];
      this.buffer = b.subarray(at + len);
      if (opcode === 1) this.emit('message', JSON.parse(payload.toString('utf8')));
      else if (opcode === 8) this.close(1000);
      else if (opcode === 9) this.socket.write(encodeFrame(10, payload));
    }
  }
}

// onConnection(peer) is called for each WebSocket on /ws; peer.index counts from 1.
export async function startScriptedServer({ staticRoot, onConnection }) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = path.normalize(path.join(staticRoot, url.pathname === '/' ? 'index.html' : url.pathname));
    if (!file.startsWith(path.normalize(staticRoot))) { res.writeHead(403); res.end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  let count = 0;
  const sockets = new Set();
  server.on('upgrade', (req, socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const key = req.headers['sec-websocket-key'];
    const accept = crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    onConnection(new Peer(socket, ++count));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(resolve);
    }),
  };
}
