// A Socket.IO 4 broadcast server for majlis-bench fanout: an "m" event from the connection with
// ?role=sender is broadcast to every other connection. With --redis URL it uses
// @socket.io/redis-adapter, so a broadcast reaches the connections of every instance.
// Usage: node socketio_broadcast.mjs [--port N] [--redis redis://127.0.0.1:6379]
//        (prints "listening on 127.0.0.1:PORT")
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });

const redisUrl = option('--redis');
if (redisUrl) {
  const { createClient } = await import('redis');
  const { createAdapter } = await import('@socket.io/redis-adapter');
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
}

io.on('connection', (socket) => {
  if (socket.handshake.query.role !== 'sender') return;
  socket.on('m', (payload) => socket.broadcast.emit('m', payload));
});

http.listen(Number(option('--port') ?? 0), '127.0.0.1', () =>
  console.log(`listening on 127.0.0.1:${http.address().port}`));
process.on('SIGTERM', () => process.exit(0));
