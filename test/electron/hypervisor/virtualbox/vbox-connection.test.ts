import { afterEach, describe, expect, it } from 'vitest';
import { IWebsessionManager } from 'virtualbox-soap';
import { realClock } from '../../../../electron/clock/clock.ts';
import { HypervisorError } from '../../../../electron/hypervisor/driver.ts';
import { createVBoxPort } from '../../../../electron/hypervisor/virtualbox/soap-port.ts';
import { probeVBoxWebService } from '../../../../electron/hypervisor/virtualbox/soap-probe.ts';
import { VBoxConnection } from '../../../../electron/hypervisor/virtualbox/vbox-connection.ts';
import { VirtualBoxDriver } from '../../../../electron/hypervisor/virtualbox/virtualbox-driver.ts';
import {
  startFakeVboxwebsrv,
  type FakeVboxwebsrv,
} from '../../../support/fake-vboxwebsrv/fake-vboxwebsrv.ts';
import { basicLabTopology } from './basic-lab-topology.ts';

const credentials = (fake: FakeVboxwebsrv) => ({ url: fake.url, username: 'nestlab', password: 'secret' });

describe('the fake vboxwebsrv behaves like gSOAP', () => {
  let fake: FakeVboxwebsrv | undefined;
  afterEach(async () => fake?.close());

  it("rejects an operation the served WSDL does not have with gSOAP's fault", async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_1' });
    const body =
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:vbox="http://www.virtualbox.org/">' +
      '<soap:Body><vbox:IMachine_setCPUProperty><_this>x</_this></vbox:IMachine_setCPUProperty></soap:Body></soap:Envelope>';
    const response = await fetch(fake.url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
    expect(response.status).toBe(500);
    expect(await response.text()).toContain(
      "Method 'vbox:IMachine_setCPUProperty' not implemented: method name or namespace not recognized",
    );
  });

  it('rejects a 7.0-shaped createMachine on a 7.1 server and a bad enum value', async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_1' });
    // The stock package's 7.0 classes over the 7.1 WSDL: exactly the mismatch the adapter avoids.
    const { port } = await createVBoxPort('7.1', fake.url);
    const vbox = await new IWebsessionManager(port).logon('nestlab', 'secret');
    await expect(vbox.createMachine('', 'm', [], 'Debian_64', '', '', '', '')).rejects.toThrow(
      "Validation constraint violation: missing element 'platform'",
    );
    await expect(vbox.findHostOnlyNetworkByName('x')).rejects.toMatchObject({ code: 0x80bb0001 });
    const host = await vbox.getHost();
    await expect(host.findHostNetworkInterfacesOfType('Wifi' as never)).rejects.toThrow(
      "Validation constraint violation: data type mismatch in element 'type'",
    );
  });

  it('returns unsignedInt values as strings, as node-soap does with the real server', async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_0' });
    const { port } = await createVBoxPort('7.0', fake.url);
    const vbox = await new IWebsessionManager(port).logon('nestlab', 'secret');
    const memory: unknown = await (await vbox.getHost()).getMemorySize();
    expect(memory).toBe('16384');
  });

  it('serves the full WSDL on GET ?wsdl', async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_1' });
    const text = await (await fetch(`${fake.url}?wsdl`)).text();
    expect(text).toContain('IPlatformX86_setCPUProperty');
  });
});

describe('VBoxConnection', () => {
  let fake: FakeVboxwebsrv | undefined;
  afterEach(async () => fake?.close());

  it('probes logon and version without parsing a WSDL', async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_1', version: '7.1.12' });
    expect(await probeVBoxWebService(fake.url, 'nestlab', 'secret')).toEqual({
      apiVersion: '7_1',
      version: '7.1.12',
    });
    await expect(probeVBoxWebService(fake.url, 'nestlab', 'wrong')).rejects.toMatchObject({
      kind: 'auth-failed',
    });
    expect(fake.world.sessions.size).toBe(0);
  });

  it('says unreachable, not a stack trace, when nothing listens', async () => {
    await expect(
      VBoxConnection.open({ url: 'http://127.0.0.1:9/', username: 'u', password: 'p' }, realClock),
    ).rejects.toMatchObject({ code: 'unreachable', message: expect.stringContaining('is not answering') });
  });

  it('reads a 7.2 server through its own ?wsdl', async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_2' });
    const connection = await VBoxConnection.open(credentials(fake), realClock);
    expect(connection.flavor).toBe('7.2');
    expect(connection.wsdl).toContain('server WSDL');
    await connection.close();
  });

  it('logs on again when the server forgot the websession', async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_0' });
    const connection = await VBoxConnection.open(credentials(fake), realClock);
    const driver = new VirtualBoxDriver({ connection, clock: realClock, runDir: '/tmp', platform: 'linux' });
    await driver.realise(basicLabTopology(''));
    fake.world.expireAllWebsessions();
    const logons = fake.calls.filter((c) => c === 'IWebsessionManager_logon').length;
    expect((await driver.machine('pve1')).power).toBe('off');
    expect(fake.calls.filter((c) => c === 'IWebsessionManager_logon').length).toBe(logons + 1);
    await driver.close();
  });

  it('keeps delivering state events after the websession was lost', async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_1' });
    const connection = await VBoxConnection.open(credentials(fake), realClock);
    const driver = new VirtualBoxDriver({
      connection,
      clock: realClock,
      runDir: '/tmp',
      platform: 'linux',
      eventPollMs: 50,
    });
    const topology = basicLabTopology('');
    topology.machines = topology.machines.filter((m) => m.name === 'nas');
    await driver.realise(topology);
    const events: string[] = [];
    driver.onPowerEvent((e) => events.push(`${e.machine}:${e.power}`));
    await driver.powerEventsReady();
    fake.world.expireAllWebsessions();
    await driver.powerOn('nas');
    for (let i = 0; i < 300 && !events.includes('nas:running'); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(events).toContain('nas:running');
    await driver.close();
  });

  it('follows a restarted vboxwebsrv to its new port', async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_0' });
    const second = await startFakeVboxwebsrv({ apiVersion: '7_0' });
    try {
      const connection = await VBoxConnection.open(credentials(fake), realClock);
      connection.retarget(credentials(second));
      await connection.run('IVirtualBox.getVersion', async (vbox) => vbox.getVersion());
      expect(second.calls).toEqual(['IWebsessionManager_logon', 'IVirtualBox_getVersion']);
      await connection.close();
    } finally {
      await second.close();
    }
  });

  it('turns a failed start into an error with the VirtualBox text and advice', async () => {
    fake = await startFakeVboxwebsrv({
      apiVersion: '7_1',
      startFailures: {
        'basic-pve1': 'VT-x is being used by another hypervisor (VERR_VMX_IN_VMX_ROOT_MODE).',
      },
    });
    const connection = await VBoxConnection.open(credentials(fake), realClock);
    const driver = new VirtualBoxDriver({ connection, clock: realClock, runDir: '/tmp', platform: 'linux' });
    const topology = basicLabTopology('');
    topology.machines = topology.machines.map((m) => ({ ...m, iso: undefined }));
    await driver.realise(topology);
    const error = await driver.powerOn('pve1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HypervisorError);
    expect((error as HypervisorError).message).toMatch(
      /IMachine\.launchVMProcess on pve1 failed \(0x80004005\): VT-x is being used/,
    );
    expect((error as HypervisorError).message).toContain('modprobe -r');
    expect((await driver.machine('pve1')).power).toBe('off');
    await driver.close();
  });

  it('cancels a long operation when the signal aborts', async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_0', progressMs: 60_000 });
    const connection = await VBoxConnection.open(credentials(fake), realClock);
    const driver = new VirtualBoxDriver({ connection, clock: realClock, runDir: '/tmp', platform: 'linux' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(driver.realise(basicLabTopology(''), { signal: controller.signal })).rejects.toMatchObject({
      code: 'cancelled',
    });
    await driver.close();
  });
});
