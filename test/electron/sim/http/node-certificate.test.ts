import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { certificateAuthority, nodeCertificate } from '../../../../electron/sim/http/node-certificate.ts';

describe('nodeCertificate', () => {
  it("is signed by the node's own CA, for the node name and its addresses, with its SHA-256 fingerprint", async () => {
    const certificate = await nodeCertificate('pve7', '10.9.8.7');
    const x509 = new X509Certificate(certificate.cert);
    const ca = new X509Certificate(certificate.caPem);
    expect(certificate.fingerprint).toBe(x509.fingerprint256);
    expect(certificate.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(x509.subject).toContain('CN=pve7.lab');
    expect(x509.ca).toBe(false);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('O=PVE Cluster Manager CA');
    expect(x509.checkIssued(ca)).toBe(true);
    expect(x509.verify(ca.publicKey)).toBe(true);
    expect(x509.checkIP('10.9.8.7')).toBe('10.9.8.7');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('pve7')).toBe('pve7');
    for (const pem of [certificate.cert, certificate.key, certificate.caPem])
      expect(pem.endsWith('\n')).toBe(true);
  });

  it('gives a node the same certificate for the whole run, each node its own, and a new one from another CA', async () => {
    const first = await nodeCertificate('pve7', '10.9.8.7');
    expect(await nodeCertificate('pve7', '10.9.8.7')).toBe(first);
    expect((await nodeCertificate('pve8', '10.9.8.8')).fingerprint).not.toBe(first.fingerprint);
    const joined = await nodeCertificate('pve8', '10.9.8.8', 'pve7');
    expect(joined.caPem).toBe((await certificateAuthority('pve7')).cert);
    expect(new X509Certificate(joined.cert).verify(new X509Certificate(first.caPem).publicKey)).toBe(true);
  });
});
