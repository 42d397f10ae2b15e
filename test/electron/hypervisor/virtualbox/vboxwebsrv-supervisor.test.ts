import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../../electron/clock/clock.ts';
import {
  backoffDelay,
  bindFailureIn,
  VboxwebsrvSupervisor,
  vboxwebsrvArgs,
  type SpawnChild,
  type SupervisedChild,
  type SupervisorOptions,
} from '../../../../electron/hypervisor/virtualbox/vboxwebsrv-supervisor.ts';

class FakeChild extends EventEmitter implements SupervisedChild {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly kills: (NodeJS.Signals | undefined)[] = [];
  constructor(readonly pid: number) {
    super();
  }
  kill(signal?: NodeJS.Signals): boolean {
    this.kills.push(signal);
    queueMicrotask(() => this.emit('exit', null, signal ?? 'SIGTERM'));
    return true;
  }
  die(code: number): void {
    this.emit('exit', code, null);
  }
}

/** A clock whose sleeps return at once but are recorded, so back-off is observable without waiting. */
function steppingClock(): Clock & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      t += ms;
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) throw signal.reason;
    },
    hold: () => () => undefined,
  };
}

function harness(overrides: Partial<SupervisorOptions> & { readyAfterProbes?: number } = {}) {
  const children: FakeChild[] = [];
  const spawned: { command: string; args: string[] }[] = [];
  const clock = steppingClock();
  let probes = 0;
  let port = 41000;
  /** When set, new children die at once and nothing answers: a service that cannot start. */
  const broken = { value: false };
  const logs: string[] = [];
  const spawn: SpawnChild = (command, args) => {
    spawned.push({ command, args });
    const child = new FakeChild(1000 + children.length);
    children.push(child);
    if (broken.value) queueMicrotask(() => child.die(2));
    return child;
  };
  const supervisor = new VboxwebsrvSupervisor({
    vboxwebsrv: '/usr/lib/virtualbox/vboxwebsrv',
    spawn,
    clock,
    credentials: async () => ({ username: 'nestlab', password: 's3cret' }),
    findFreePort: async () => port++,
    probe: async () => {
      if (broken.value) throw new Error('connect ECONNREFUSED');
      probes += 1;
      if (probes <= (overrides.readyAfterProbes ?? 2)) throw new Error('connect ECONNREFUSED');
    },
    log: (line) => logs.push(line),
    platform: 'linux',
    ...overrides,
  });
  return { supervisor, children, spawned, clock, logs, broken };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe('vboxwebsrvArgs', () => {
  it('binds loopback with VBoxAuthSimple and never disables authentication', () => {
    const args = vboxwebsrvArgs(41234);
    expect(args).toEqual([
      '--host',
      '127.0.0.1',
      '--port',
      '41234',
      '--authentication',
      'VBoxAuthSimple',
      '--timeout',
      '0',
    ]);
    expect(args).not.toContain('null');
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, 1000, 30_000))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });
});

describe('VboxwebsrvSupervisor', () => {
  it('starts the service and is ready once a logon works', async () => {
    const h = harness({ readyAfterProbes: 3 });
    const credentials = await h.supervisor.start();
    expect(credentials).toEqual({ url: 'http://127.0.0.1:41000/', username: 'nestlab', password: 's3cret' });
    expect(h.supervisor.status).toBe('ready');
    expect(h.spawned).toEqual([{ command: '/usr/lib/virtualbox/vboxwebsrv', args: vboxwebsrvArgs(41000) }]);
    expect(h.clock.sleeps).toEqual([250, 250, 250]);
    h.children[0]!.stdout.write('Socket connection successful\n');
    await settle();
    expect(h.logs).toContain('vboxwebsrv: Socket connection successful');
    await h.supervisor.stop();
    expect(h.children[0]!.kills).toEqual(['SIGTERM']);
    expect(h.supervisor.status).toBe('stopped');
  });

  it('restarts a crashed service with back-off on a new port', async () => {
    const h = harness({ readyAfterProbes: 0 });
    const statuses: string[] = [];
    h.supervisor.onStatus((s) => statuses.push(s));
    await h.supervisor.start();
    h.children[0]!.die(1);
    await settle();
    expect(h.children).toHaveLength(2);
    expect(h.supervisor.credentials?.url).toBe('http://127.0.0.1:41001/');
    expect(h.clock.sleeps).toEqual([1000]);
    expect(statuses).toEqual(['starting', 'ready', 'restarting', 'ready']);
    // A healthy run resets the back-off.
    h.children[1]!.die(1);
    await settle();
    expect(h.clock.sleeps).toEqual([1000, 1000]);
    await h.supervisor.stop();
  });

  it('gives up after repeated failures and says so', async () => {
    const h = harness({ readyAfterProbes: 0, maxFailures: 3 });
    await h.supervisor.start();
    // From now on every new child dies at once, before it can accept a logon.
    h.broken.value = true;
    h.children[0]!.die(1);
    for (let i = 0; i < 10 && h.supervisor.status !== 'failed'; i++) await settle();
    expect(h.supervisor.status).toBe('failed');
    expect(h.clock.sleeps.filter((ms) => ms >= 1000)).toEqual([1000, 2000, 4000]);
    expect(h.logs.at(-1)).toMatch(/failed 3 times in a row; giving up/);
    await h.supervisor.stop();
  });

  it('reports a wrong secret as an authentication failure, not a hang', async () => {
    const h = harness({
      probe: async () => {
        throw Object.assign(new Error('IWebsessionManager_logon: Authentication failed'), {
          kind: 'auth-failed',
        });
      },
    });
    await expect(h.supervisor.start()).rejects.toMatchObject({ code: 'auth-failed' });
    expect(h.supervisor.status).toBe('failed');
    expect(h.children[0]!.kills).toHaveLength(1);
  });

  it('gives up waiting for readiness after the timeout and kills the child', async () => {
    const h = harness({ readyAfterProbes: 1_000, readyTimeoutMs: 2000 });
    await expect(h.supervisor.start()).rejects.toThrow(/did not accept a logon within 2000 ms/);
    expect(h.children[0]!.kills).toHaveLength(1);
  });
});

describe('a port taken between the free-port check and the bind', () => {
  it('reads the bind failure vboxweb.cpp prints', () => {
    expect(
      bindFailureIn('00:00:00.052 [ P ] #### SOAP FAULT: Address already in use [no details available]'),
    ).toBe('Address already in use [no details available]');
    expect(
      bindFailureIn('00:00:00.052 Socket connection successful: host = 127.0.0.1, port = 41000'),
    ).toBeUndefined();
  });

  it('is detected from the output at once and another port is tried, without waiting for the readiness timeout', async () => {
    // The probe never succeeds on the first child: the service runs but listens nowhere.
    const h = harness({
      probe: async (url) => {
        if (url.includes(':41000/')) throw new Error('connect ECONNREFUSED');
      },
    });
    const started = h.supervisor.start();
    await settle();
    expect(h.children).toHaveLength(1);
    h.children[0]!.stdout.write(
      '00:00:00.052 [ P ] #### SOAP FAULT: Address already in use [no details available]\n',
    );
    const sleptBefore = h.clock.sleeps.length;
    const credentials = await started;
    expect(credentials.url).toBe('http://127.0.0.1:41001/');
    expect(h.children[0]!.kills.length).toBe(1);
    // No more waiting on the first child after its output said so; far from the 15 s readiness timeout.
    expect(h.clock.sleeps.length - sleptBefore).toBeLessThanOrEqual(1);
    expect(h.clock.now()).toBeLessThan(15_000);
    expect(h.logs.some((l) => l.includes('#### SOAP FAULT'))).toBe(true);
    await h.supervisor.stop();
  });
});
