import { describe, expect, it } from 'vitest';
import { parseArgs, tokenize, UsageError } from '../../../../electron/sim/shell/command-line.ts';

describe('tokenize', () => {
  it('splits like a shell, honouring quotes and escapes', () => {
    expect(tokenize(`qm create 100 --name "tiny core" --net0 'virtio,bridge=vmbr0' a\\ b`)).toEqual([
      'qm',
      'create',
      '100',
      '--name',
      'tiny core',
      '--net0',
      'virtio,bridge=vmbr0',
      'a b',
    ]);
  });
  it('reports an unterminated quote', () => {
    expect(() => tokenize('qm "x')).toThrow(UsageError);
  });
});

describe('parseArgs', () => {
  const options = [
    { name: 'online', boolean: true },
    { name: 'memory', boolean: false },
    { name: 'net[n]', boolean: false },
  ];
  it('reads positionals and options in every PVE spelling', () => {
    expect(
      parseArgs(['100', 'node2', '--online', '-memory', '512', '--net0=virtio'], ['vmid', 'target'], options),
    ).toEqual({
      positional: { vmid: '100', target: 'node2' },
      options: { online: '1', memory: '512', net0: 'virtio' },
    });
    expect(parseArgs(['100', '--online', '0'], ['vmid'], options).options).toEqual({ online: '0' });
  });
  it('fails with the real usage errors', () => {
    expect(() => parseArgs([], ['vmid'], options)).toThrow('not enough arguments');
    expect(() => parseArgs(['1', '2'], ['vmid'], options)).toThrow('too many arguments');
    try {
      parseArgs(['100', '--foo', '1'], ['vmid'], options);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toBe('unable to parse option');
      expect((error as UsageError).preamble).toEqual(['Unknown option: foo']);
    }
  });
});
