// The baseline of `bench:opamp`: a bare `ws` server that answers every message with the same
// small binary frame, holding connections the way any WebSocket server must.
import { WebSocketServer } from 'ws';

const reply = Uint8Array.of(0x00, 0x0a, 0x00);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', () => ws.send(reply));
});
wss.on('listening', () => {
  const address = wss.address();
  if (address !== null && typeof address === 'object')
    process.stdout.write(`listening ws://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
