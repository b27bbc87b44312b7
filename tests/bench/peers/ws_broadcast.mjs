// A Node `ws` broadcast server for majlis-bench fanout: every text message from the connection
// opened on /sender is sent to every other open connection. No logic beyond that.
// Usage: node ws_broadcast.mjs [port]   (prints "listening on 127.0.0.1:PORT")
import { WebSocketServer, WebSocket } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), perMessageDeflate: false });

wss.on('connection', (socket, request) => {
  socket.on('error', () => {});
  if (request.url !== '/sender') return;
  socket.on('message', (data, isBinary) => {
    for (const client of wss.clients) {
      if (client !== socket && client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});

wss.on('listening', () => console.log(`listening on 127.0.0.1:${wss.address().port}`));
process.on('SIGTERM', () => process.exit(0));
