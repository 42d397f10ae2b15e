/**
 * What a running guest does in the fake: COM1 as a HostPipe server (a unix socket at the configured
 * path, as VirtualBox's DrvNamedPipe serves it), keystrokes arriving as PC set-1 scancodes, and a
 * scripted reaction to both — an installer that waits for its boot line, prints a debug shell, takes a
 * command, logs its progress and powers off at the end.
 */
import { rmSync } from 'node:fs';
import net from 'node:net';
import type { FakeMachine, FakeWorld } from './fake-world.ts';

/** Set-1 make codes of a US keyboard, built from the key rows (independent of the app's encoder). */
const ROWS: [number, string, string][] = [
  [0x02, '1234567890-=', '!@#$%^&*()_+'],
  [0x10, 'qwertyuiop[]', 'QWERTYUIOP{}'],
  [0x1e, "asdfghjkl;'`", 'ASDFGHJKL:"~'],
  [0x2b, '\\zxcvbnm,./', '|ZXCVBNM<>?'],
];
const PLAIN = new Map<number, string>();
const SHIFTED = new Map<number, string>();
for (const [first, plain, shifted] of ROWS) {
  [...plain].forEach((c, i) => PLAIN.set(first + i, c));
  [...shifted].forEach((c, i) => SHIFTED.set(first + i, c));
}
PLAIN.set(0x39, ' ').set(0x1c, '\n').set(0x0f, '\t');
SHIFTED.set(0x39, ' ').set(0x1c, '\n');
const LEFT_SHIFT = 0x2a;
const RIGHT_SHIFT = 0x36;

interface GuestState {
  server?: net.Server;
  clients: Set<net.Socket>;
  pendingOutput: string;
  step: number;
  typedSinceStep: string;
  serialSinceStep: string;
  shift: boolean;
}

const guests = new WeakMap<FakeMachine, GuestState>();

function stateOf(machine: FakeMachine): GuestState {
  let state = guests.get(machine);
  if (!state) {
    state = {
      clients: new Set(),
      pendingOutput: '',
      step: 0,
      typedSinceStep: '',
      serialSinceStep: '',
      shift: false,
    };
    guests.set(machine, state);
  }
  return state;
}

function write(state: GuestState, text: string): void {
  if (!state.clients.size) {
    state.pendingOutput += text;
    return;
  }
  for (const client of state.clients) client.write(text);
}

function advance(world: FakeWorld, machine: FakeMachine): void {
  const script = world.options.serialScripts[machine.settings.name];
  const state = stateOf(machine);
  for (;;) {
    const step = script?.steps[state.step];
    if (!step) return;
    if (step.whenTyped && !state.typedSinceStep.includes(step.whenTyped)) return;
    if (step.whenSerial && !state.serialSinceStep.includes(step.whenSerial)) return;
    state.step += 1;
    state.typedSinceStep = '';
    state.serialSinceStep = '';
    if (step.output) write(state, step.output);
    if (step.powerOff) {
      world.after(world.options.progressMs, () => world.guestPoweredOff?.(machine));
      return;
    }
  }
}

export function guestStarted(world: FakeWorld, machine: FakeMachine): void {
  const serial = machine.settings.serials[0];
  const state = stateOf(machine);
  state.step = 0;
  state.typedSinceStep = '';
  state.serialSinceStep = '';
  state.pendingOutput = world.options.serialScripts[machine.settings.name]?.banner ?? '';
  if (serial?.enabled && serial.hostMode === 'HostPipe' && serial.server && serial.path) {
    rmSync(serial.path, { force: true });
    const server = net.createServer((socket) => {
      state.clients.add(socket);
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        state.serialSinceStep += chunk;
        advance(world, machine);
      });
      socket.on('close', () => state.clients.delete(socket));
      socket.on('error', () => state.clients.delete(socket));
      if (state.pendingOutput) {
        socket.write(state.pendingOutput);
        state.pendingOutput = '';
      }
    });
    // Real VirtualBox fails the VM start when it cannot create the pipe; the fake only stays silent, so
    // tests that never read a console may use any path.
    server.on('error', () => undefined);
    server.listen(serial.path);
    state.server = server;
  }
  advance(world, machine);
}

export function guestStopped(machine: FakeMachine): void {
  const state = guests.get(machine);
  if (!state) return;
  for (const client of state.clients) client.destroy();
  state.clients.clear();
  const path = machine.settings.serials[0]?.path;
  state.server?.close();
  state.server = undefined;
  if (path) rmSync(path, { force: true });
}

/** IKeyboard.putScancodes: decoded and recorded per machine (world.typed), then the script may react. */
export function guestTyped(world: FakeWorld, machine: FakeMachine, scancodes: number[]): void {
  const state = stateOf(machine);
  let text = '';
  for (const code of scancodes) {
    const release = (code & 0x80) !== 0;
    const key = code & 0x7f;
    if (key === LEFT_SHIFT || key === RIGHT_SHIFT) {
      state.shift = !release;
      continue;
    }
    if (release) continue;
    const char = (state.shift ? SHIFTED : PLAIN).get(key);
    if (char === undefined)
      throw new Error(`fake keyboard: scancode 0x${code.toString(16)} is not a key the fake knows`);
    text += char;
  }
  const name = machine.settings.name;
  world.typed[name] = (world.typed[name] ?? '') + text;
  world.scancodes[name] = [...(world.scancodes[name] ?? []), ...scancodes];
  state.typedSinceStep += text;
  advance(world, machine);
}
