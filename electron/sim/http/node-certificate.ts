/**
 * The certificates of a Proxmox VE node as pve-cluster makes them (Cluster/Setup.pm): every
 * installation creates its own CA (`pve-root-ca.pem`, "PVE Cluster Manager CA") and a node
 * certificate signed by it (`pve-ssl.pem`). Creating a cluster keeps the founder's CA; a node that
 * joins gets a new node certificate signed by the cluster's CA, so one CA file verifies every member
 * (and the joined node's fingerprint changes). EC P-256 keys: generated in milliseconds. Cached
 * for the life of the process so restarting a datacenter in one run keeps each fingerprint.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface CertificateAuthority {
  key: string;
  cert: string;
}

export interface NodeCertificate {
  key: string;
  cert: string;
  /** SHA-256 fingerprint, `AB:CD:…` (32 pairs), as `pve_fp` in join information. */
  fingerprint: string;
  /** The CA that signed it (`/etc/pve/pve-root-ca.pem`). */
  caPem: string;
}

const authorities = new Map<string, Promise<CertificateAuthority>>();
const certificates = new Map<string, Promise<NodeCertificate>>();

function cached<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (!pending) {
    pending = make();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/** PEM text always ends with a newline (tools that concatenate PEM files rely on it). */
export function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

/** The CA a node created at installation (`installedOn`), one per node name for the whole run. */
export function certificateAuthority(installedOn: string): Promise<CertificateAuthority> {
  return cached(authorities, installedOn, async () => {
    const generated = await generate(
      [
        { name: 'commonName', value: 'Proxmox Virtual Environment' },
        { name: 'OU', value: randomUUID() },
        { name: 'organizationName', value: 'PVE Cluster Manager CA' },
      ],
      {
        keyType: 'ec',
        curve: 'P-256',
        algorithm: 'sha256',
        notBeforeDate: new Date(Date.now() - 24 * 3600_000),
        notAfterDate: new Date(Date.now() + 10 * 365 * 24 * 3600_000),
        extensions: [
          { name: 'basicConstraints', cA: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true },
        ],
      },
    );
    return { key: withNewline(generated.private), cert: withNewline(generated.cert) };
  });
}

/**
 * `node`'s certificate signed by the CA of `caOf` (the node itself while standalone, the
 * cluster's founder once it joined). Default: the node's own CA.
 */
export function nodeCertificate(node: string, ip: string, caOf: string = node): Promise<NodeCertificate> {
  return cached(certificates, `${node}/${ip}/${caOf}`, async () => {
    const ca = await certificateAuthority(caOf);
    const generated = await generate(
      [
        { name: 'OU', value: 'PVE Cluster Node' },
        { name: 'organizationName', value: 'Proxmox Virtual Environment' },
        { name: 'commonName', value: `${node}.lab` },
      ],
      {
        keyType: 'ec',
        curve: 'P-256',
        algorithm: 'sha256',
        notBeforeDate: new Date(Date.now() - 24 * 3600_000),
        notAfterDate: new Date(Date.now() + 2 * 365 * 24 * 3600_000),
        ca,
        extensions: [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', serverAuth: true },
          {
            name: 'subjectAltName',
            altNames: [
              { type: 2, value: node },
              { type: 2, value: `${node}.lab` },
              { type: 2, value: 'localhost' },
              { type: 7, ip: '127.0.0.1' },
              { type: 7, ip },
            ],
          },
        ],
      },
    );
    const cert = withNewline(generated.cert);
    return {
      key: withNewline(generated.private),
      cert,
      fingerprint: new X509Certificate(cert).fingerprint256,
      caPem: ca.cert,
    };
  });
}
