/**
 * A self-signed TLS certificate per simulated node (EC P-256: generated in milliseconds), cached
 * for the life of the process so restarting a datacenter in one run keeps each node's fingerprint.
 */
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface NodeCertificate {
  key: string;
  cert: string;
  /** SHA-256 fingerprint, `AB:CD:…` (32 pairs), as `pve_fp` in join information. */
  fingerprint: string;
}

const cache = new Map<string, Promise<NodeCertificate>>();

export function nodeCertificate(node: string, ip: string): Promise<NodeCertificate> {
  const cacheKey = `${node}/${ip}`;
  let pending = cache.get(cacheKey);
  if (!pending) {
    pending = createNodeCertificate(node, ip);
    cache.set(cacheKey, pending);
    pending.catch(() => cache.delete(cacheKey));
  }
  return pending;
}

async function createNodeCertificate(node: string, ip: string): Promise<NodeCertificate> {
  const notBeforeDate = new Date(Date.now() - 24 * 3600_000);
  const notAfterDate = new Date(Date.now() + 2 * 365 * 24 * 3600_000);
  const generated = await generate(
    [
      { name: 'commonName', value: `${node}.lab` },
      { name: 'organizationName', value: 'PVE Cluster Node' },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: node },
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip },
          ],
        },
      ],
    },
  );
  return {
    key: generated.private,
    cert: generated.cert,
    fingerprint: new X509Certificate(generated.cert).fingerprint256,
  };
}
