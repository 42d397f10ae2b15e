// One direct API call over the browser host's WebSocket, outside the page (to compare with the UI).
import WebSocket from 'ws';

export function wsCall(host, method, params = {}, token = host.token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${encodeURIComponent(token)}`, {
      headers: { Origin: `http://127.0.0.1:${host.port}` },
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`refused with HTTP ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method, params })));
    ws.on('message', (raw) => {
      const message = JSON.parse(String(raw));
      if (message.id !== 1) return;
      ws.close();
      if (message.error) reject(new Error(`${method}: ${message.error.code}: ${message.error.message}`));
      else resolve(message.result);
    });
  });
}
