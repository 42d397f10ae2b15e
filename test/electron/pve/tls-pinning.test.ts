import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import {
  normalizeFingerprint,
  pinnedIdentityCheck,
  probeCertificate,
} from '../../../electron/pve/tls-pinning.ts';
import { startTestNodes, type TestNodes } from '../sim/http/test-nodes.ts';

let nodes: TestNodes;
beforeAll(async () => {
  nodes = await startTestNodes(['node1']);
});
afterAll(async () => {
  await nodes.close();
});

describe('TLS pinning', () => {
  it('normalizes fingerprints written in any common way', () => {
    const canonical = 'AB:CD:'.repeat(15) + 'AB:CD';
    expect(normalizeFingerprint(canonical.toLowerCase())).toBe(canonical);
    expect(normalizeFingerprint(canonical.replaceAll(':', ''))).toBe(canonical);
    expect(normalizeFingerprint(canonical.replaceAll(':', ' '))).toBe(canonical);
  });

  it('reads the certificate a node presents, without sending a request', async () => {
    const probed = await probeCertificate(nodes.endpoints[0]!.url);
    expect(probed.fingerprint).toBe(nodes.endpoints[0]!.fingerprint);
    expect(new X509Certificate(probed.chainPem[0]!).fingerprint256).toBe(probed.fingerprint);
    expect(nodes.calls).toHaveLength(0);
  });

  it('fails a probe of a port where nothing listens', async () => {
    await expect(probeCertificate('https://127.0.0.1:1', 500)).rejects.toThrow();
  });

  it('accepts only the pinned certificate on each handshake', () => {
    const check = pinnedIdentityCheck(nodes.endpoints[0]!.fingerprint.toLowerCase());
    const cert = new X509Certificate(nodes.servers[0]!.certificatePem);
    expect(check('127.0.0.1', { fingerprint256: cert.fingerprint256 } as never)).toBeUndefined();
    expect(check('127.0.0.1', { fingerprint256: 'AA:'.repeat(31) + 'AA' } as never)?.message).toMatch(
      /^certificate of 127\.0\.0\.1 has fingerprint AA:.*, expected /,
    );
  });
});
