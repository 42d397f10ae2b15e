import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpPveApi } from '../../../electron/pve/http-client.ts';
import { PveError } from '../../../electron/pve/api.ts';
import { startTestNodes, type TestNodes } from '../sim/http/test-nodes.ts';

let nodes: TestNodes | undefined;
let api: HttpPveApi | undefined;
afterEach(async () => {
  await api?.close();
  await nodes?.close();
  api = undefined;
  nodes = undefined;
});

async function setup(names = ['node1', 'node2', 'node3']): Promise<{ nodes: TestNodes; api: HttpPveApi }> {
  nodes = await startTestNodes(names);
  api = new HttpPveApi({
    endpoints: nodes.endpoints,
    credentials: { kind: 'password', username: 'root@pam', password: 'secret' },
  });
  return { nodes, api };
}

async function failure(promise: Promise<unknown>): Promise<PveError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PveError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('HttpPveApi', () => {
  it('logs in with a ticket and sends CSRF on writes', async () => {
    const { api, nodes } = await setup();
    expect(await api.request({ method: 'GET', path: '/version' })).toMatchObject({ release: '9.1' });
    const upid = await api.request<string>({
      method: 'POST',
      path: '/cluster/config',
      params: { clustername: 'lab', nodeid: 1 },
    });
    expect(upid).toMatch(/^UPID:node1:/);
    expect(nodes.calls.at(-1)!.params).toEqual({ clustername: 'lab', nodeid: 1 });
    expect(api.currentNode).toBe('node1');
  });

  it('authenticates with an API token', async () => {
    nodes = await startTestNodes(['node1']);
    const token = nodes.auth.addToken('lab');
    api = new HttpPveApi({
      endpoints: nodes.endpoints,
      credentials: { kind: 'token', tokenId: token.tokenId, secret: token.secret },
    });
    await api.request({
      method: 'POST',
      path: '/cluster/ha/resources',
      params: { sid: 'vm:100', failback: false },
    });
    expect(nodes.calls.at(-1)).toMatchObject({
      user: 'root@pam!lab',
      params: { sid: 'vm:100', failback: false },
    });
  });

  it('reports a wrong password as an auth error naming the call and node', async () => {
    nodes = await startTestNodes(['node1']);
    api = new HttpPveApi({
      endpoints: nodes.endpoints,
      credentials: { kind: 'password', username: 'root@pam', password: 'bad' },
    });
    const error = await failure(api.request({ method: 'GET', path: '/version' }));
    expect(error.kind).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.node).toBe('node1');
    expect(error.message).toBe('POST /access/ticket on node1: 401 authentication failure');
  });

  it('logs in again when the ticket has expired', async () => {
    const { api, nodes } = await setup(['node1']);
    await api.request({ method: 'GET', path: '/version' });
    nodes.skew.seconds = 3 * 3600; // the old ticket is now older than its 2 h lifetime
    expect(await api.request({ method: 'GET', path: '/version' })).toMatchObject({ version: '9.1.3' });
  });

  it('names the call, the node and Proxmox messages in errors', async () => {
    const { api } = await setup(['node1']);
    const invalid = await failure(
      api.request({ method: 'POST', path: '/cluster/ha/resources', params: { sid: 'vm:100', state: 'up' } }),
    );
    expect(invalid.kind).toBe('http');
    expect(invalid.status).toBe(400);
    expect(invalid.call).toBe('POST /cluster/ha/resources');
    expect(invalid.errors).toEqual({
      state:
        "value 'up' does not have a value in the enumeration 'started, stopped, enabled, disabled, ignored'",
    });
    expect(invalid.message).toContain(
      'POST /cluster/ha/resources on node1: 400 Parameter verification failed. (state: value',
    );
    const server = await failure(
      api.request({ method: 'POST', path: '/cluster/config', params: { clustername: 'noquorum' } }),
    );
    expect(server.message).toBe('POST /cluster/config on node1: 500 cluster not ready - no quorum?');
    const missing = await failure(api.request({ method: 'GET', path: '/nope' }));
    expect(missing.status).toBe(501);
    expect(missing.message).toBe("GET /nope on node1: 501 Method 'GET /nope' not implemented");
  });

  it('refuses a node whose certificate does not match the pinned fingerprint', async () => {
    nodes = await startTestNodes(['node1', 'node2']);
    const [one, two] = nodes.endpoints;
    api = new HttpPveApi({
      endpoints: [{ ...one!, fingerprint: two!.fingerprint }],
      credentials: { kind: 'password', username: 'root@pam', password: 'secret' },
    });
    const error = await failure(api.request({ method: 'GET', path: '/version' }));
    expect(error.kind).toBe('pinning');
    expect(error.message).toContain(`expected ${two!.fingerprint}`);
    expect(nodes.calls).toHaveLength(0);
  });

  it('moves to another node when the current one dies', async () => {
    const { api, nodes } = await setup();
    await api.request({ method: 'GET', path: '/cluster/status' });
    expect(api.currentNode).toBe('node1');
    nodes.kill('node1');
    const status = await api.request<{ name: string }[]>({ method: 'GET', path: '/cluster/status' });
    expect(status[0]!.name).toBe('node2');
    expect(api.currentNode).toBe('node2');
    // Writes move too when the dead node refused the connection (nothing was sent).
    const upid = await api.request<string>({
      method: 'POST',
      path: '/cluster/config',
      params: { clustername: 'lab' },
    });
    expect(upid).toMatch(/^UPID:node2:/);
  });

  it('moves on from a node that accepts connections but never answers', async () => {
    nodes = await startTestNodes(['node2']);
    const sockets: Socket[] = [];
    const blackHole: Server = createServer((socket) => sockets.push(socket)); // TCP up, TLS never answers
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const port = (blackHole.address() as { port: number }).port;
    try {
      api = new HttpPveApi({
        endpoints: [
          { name: 'node1', url: `https://127.0.0.1:${port}`, fingerprint: nodes.endpoints[0]!.fingerprint },
          ...nodes.endpoints,
        ],
        credentials: { kind: 'password', username: 'root@pam', password: 'secret' },
        failoverAfterMs: 200,
      });
      const status = await api.request<{ name: string }[]>({ method: 'GET', path: '/cluster/status' });
      expect(status[0]!.name).toBe('node2');
      expect(api.currentNode).toBe('node2');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });

  it('fails with unreachable naming the node when a pinned node is dead', async () => {
    const { api, nodes } = await setup(['node1', 'node2']);
    nodes.kill('node2');
    const error = await failure(api.request({ method: 'GET', path: '/version', node: 'node2' }));
    expect(error.kind).toBe('unreachable');
    expect(error.node).toBe('node2');
    expect(error.message).toMatch(/^GET \/version on node2: /);
  });

  it('honours an AbortSignal', async () => {
    const { api } = await setup(['node1']);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const error = await failure(api.request({ method: 'GET', path: '/version', signal: controller.signal }));
    expect(error.kind).toBe('aborted');
  });

  it('aborts a call in flight', async () => {
    nodes = await startTestNodes(['node2']);
    const sockets: Socket[] = [];
    const blackHole: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const port = (blackHole.address() as { port: number }).port;
    try {
      api = new HttpPveApi({
        endpoints: [
          { name: 'node1', url: `https://127.0.0.1:${port}`, fingerprint: nodes.endpoints[0]!.fingerprint },
        ],
        credentials: { kind: 'password', username: 'root@pam', password: 'secret' },
        failoverAfterMs: 60_000,
      });
      const controller = new AbortController();
      const pending = failure(api.request({ method: 'GET', path: '/version', signal: controller.signal }));
      setTimeout(() => controller.abort(new Error('user cancelled')), 50);
      const error = await pending;
      expect(error.kind).toBe('aborted');
      expect(error.node).toBe('node1');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });

  it('uploads a file as multipart; the node sees its name and exact size', async () => {
    const { api, nodes } = await setup(['node1']);
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = 0x2d; // dashes inside, like a boundary might look
    const upid = await api.upload({
      node: 'node1',
      storage: 'local',
      content: 'iso',
      filename: 'tinycore.iso',
      file: new Blob([bytes]),
    });
    expect(upid).toMatch(/^UPID:node1:/);
    const call = nodes.calls.at(-1)!;
    expect(call.params).toEqual({ content: 'iso', filename: 'tinycore.iso' });
    expect(call.upload).toEqual({ filename: 'tinycore.iso', size: bytes.length });
  });

  it('waits for a task until it stops', async () => {
    const { api } = await setup(['node1']);
    const upid = await api.request<string>({
      method: 'POST',
      path: '/cluster/config',
      params: { clustername: 'lab' },
    });
    const result = await api.waitForTask(upid, { pollMs: 10 });
    expect(result).toEqual({ upid, exitstatus: 'OK', ok: true });
  });
});
