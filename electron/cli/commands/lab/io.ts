/** Where the `nestlab lab …` commands read and write; tests pass their own. */
import { createInterface } from 'node:readline';

import type { VirtualBoxReach } from '../../../backends/lab-environment.ts';

/** A terminal for `lab run --shell`: keystrokes in, shell output out. */
export interface LabCliTerminal {
  input: NodeJS.ReadableStream;
  write(text: string): void;
  /** Put the input in raw mode (a TTY), so Ctrl-C and arrows reach the simulated shell. */
  setRaw?(raw: boolean): void;
}

export interface LabCliIo {
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
  terminal?: LabCliTerminal;
  /** Asks one question and returns the typed answer; absent without a TTY (nothing can be asked). */
  ask?(question: string): Promise<string>;
}

export interface LabCliDeps {
  /** Where `lab run --backend virtualbox` finds VirtualBox and the nodes; tests put fakes here. */
  virtualBox?: VirtualBoxReach;
}

export const processIo: LabCliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  setExitCode: (code) => {
    process.exitCode = code;
  },
  terminal: {
    input: process.stdin,
    write: (text) => process.stdout.write(text),
    setRaw: (raw) => {
      if (process.stdin.isTTY) process.stdin.setRawMode(raw);
    },
  },
  ...(process.stdin.isTTY
    ? {
        ask: (question: string) =>
          new Promise<string>((resolveAnswer) => {
            const rl = createInterface({ input: process.stdin, output: process.stdout });
            rl.question(question, (answer) => {
              rl.close();
              resolveAnswer(answer);
            });
          }),
      }
    : {}),
};
