/**
 * TLS pinned to a node's certificate fingerprint. Trust on first use: a probe reads the peer's
 * certificate chain during the handshake (it sends no request), the caller compares the leaf's
 * SHA-256 fingerprint with the one the user confirmed, and real connections then verify the
 * chain against exactly those certificates and check the fingerprint again on every handshake.
 */
import { connect, type PeerCertificate } from 'node:tls';

export interface ProbedCertificate {
  /** SHA-256 fingerprint of the leaf, `AB:CD:…`. */
  fingerprint: string;
  /** Leaf first, then issuers as the server sent them, PEM. */
  chainPem: string[];
}

export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

/**
 * Reads the certificate a server presents. Verification is deliberately not done here: this
 * is the "first use" look whose fingerprint the user (or the lab's join info) must confirm.
 * Nothing is sent over the connection; it is closed as soon as the handshake is done.
 */
export function probeCertificate(
  url: string,
  timeoutMs = 3_000,
  signal?: AbortSignal,
): Promise<ProbedCertificate> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: hostname,
      port: Number(port || 443),
      servername: /^[\d.]+$|:/.test(hostname) ? undefined : hostname,
      rejectUnauthorized: false, // probe only: the fingerprint is checked by the caller
    });
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = (): void => fail(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const leaf = socket.getPeerCertificate(true);
      socket.destroy();
      if (!leaf || !leaf.raw) return reject(new Error('the server presented no certificate'));
      resolve({ fingerprint: leaf.fingerprint256, chainPem: chainToPem(leaf) });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fail(error);
    });
  });
}

function chainToPem(leaf: PeerCertificate & { issuerCertificate?: PeerCertificate }): string[] {
  const pems: string[] = [];
  const seen = new Set<string>();
  let current: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = leaf;
  while (current && current.raw && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    const base64 = current.raw
      .toString('base64')
      .match(/.{1,64}/g)!
      .join('\n');
    pems.push(`-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`);
    current = current.issuerCertificate as typeof current;
  }
  return pems;
}

/** Verifies, on every handshake, that the node still presents the pinned certificate. */
export function pinnedIdentityCheck(
  expectedFingerprint: string,
): (host: string, cert: PeerCertificate) => Error | undefined {
  const expected = normalizeFingerprint(expectedFingerprint);
  return (host, cert) => {
    const got = normalizeFingerprint(cert.fingerprint256 ?? '');
    if (got !== expected) {
      return new Error(`certificate of ${host} has fingerprint ${got}, expected ${expected}`);
    }
    return undefined;
  };
}
