/**
 * The browser host's address (port + token), kept in the data folder so a restarted NestLab comes
 * back where the open tab expects it and the tab reconnects by itself. The token is a secret:
 * the file is written for the owner only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import writeFileAtomic from 'write-file-atomic';

export const HOST_ADDRESS_FILE = 'browser-host.json';

export interface HostAddress {
  port: number;
  token: string;
}

function valid(value: unknown): value is HostAddress {
  const v = value as Partial<HostAddress> | null;
  return (
    typeof v?.port === 'number' &&
    Number.isInteger(v.port) &&
    v.port > 0 &&
    v.port < 65536 &&
    typeof v.token === 'string' &&
    /^[A-Za-z0-9_-]{16,}$/.test(v.token)
  );
}

/** The saved address, or null when there is none or the file is damaged (a new one is made). */
export async function loadHostAddress(dataDir: string): Promise<HostAddress | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dataDir, HOST_ADDRESS_FILE), 'utf8'));
    return valid(parsed) ? { port: parsed.port, token: parsed.token } : null;
  } catch {
    return null;
  }
}

export async function saveHostAddress(dataDir: string, address: HostAddress): Promise<void> {
  await writeFileAtomic(join(dataDir, HOST_ADDRESS_FILE), JSON.stringify(address) + '\n', { mode: 0o600 });
}
