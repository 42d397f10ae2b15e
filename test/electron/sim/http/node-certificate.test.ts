import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { nodeCertificate } from '../../../../electron/sim/http/node-certificate.ts';

describe('nodeCertificate', () => {
  it('is a self-signed certificate for the node name and its addresses, with its SHA-256 fingerprint', async () => {
    const certificate = await nodeCertificate('pve7', '10.9.8.7');
    const x509 = new X509Certificate(certificate.cert);
    expect(certificate.fingerprint).toBe(x509.fingerprint256);
    expect(certificate.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(x509.subject).toContain('CN=pve7.lab');
    expect(x509.checkIssued(x509)).toBe(true);
    expect(x509.checkIP('10.9.8.7')).toBe('10.9.8.7');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('pve7')).toBe('pve7');
  });

  it('gives a node the same certificate for the whole run, and each node its own', async () => {
    const first = await nodeCertificate('pve7', '10.9.8.7');
    expect(await nodeCertificate('pve7', '10.9.8.7')).toBe(first);
    expect((await nodeCertificate('pve8', '10.9.8.8')).fingerprint).not.toBe(first.fingerprint);
  });
});
