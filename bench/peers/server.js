// The peer c2c is measured against: a Socket.IO 4 chat server with the Redis adapter, run as
// two processes on one Redis (like two c2c instances). Clients emit `join(room)` and
// `msg(room, text)`; the room gets `msg(text)`.
// Usage: PORT=4100 REDIS_URL=redis://127.0.0.1:6379 node server.js
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';

const port = Number(process.env.PORT || 4100);
const pub = createClient({ url: process.env.REDIS_URL || 'redis://127.0.0.1:6379' });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer((req, res) => { res.writeHead(200); res.end('ok'); });
const io = new Server(http, { transports: ['websocket'], adapter: createAdapter(pub, sub) });
io.on('connection', (socket) => {
  socket.on('join', (room) => socket.join(room));
  socket.on('msg', (room, text) => io.to(room).emit('msg', text));
});
http.listen(port, '127.0.0.1', () => console.log(`socket.io peer on ${port}`));
