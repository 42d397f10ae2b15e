/**
 * The default first-boot probe: a freshly installed node's API (pveproxy on :8006) takes a while after
 * power-on; the TLS handshake is retried until it answers and its certificate fingerprint is returned
 * for the trust question (never trusted here).
 */
import type { Clock } from '../../clock/clock.ts';
import { HypervisorError } from '../../hypervisor/driver.ts';
import { probeCertificate } from '../../pve/tls-pinning.ts';
import type { FirstBootProbe } from './install-ports.ts';

export function tlsFirstBootProbe(
  clock: Clock,
  { deadlineMs = 10 * 60_000, retryMs = 3_000, port = 8006 } = {},
): FirstBootProbe {
  return async (node, address, signal) => {
    const until = clock.now() + deadlineMs;
    let last = 'no answer yet';
    for (;;) {
      try {
        const { fingerprint } = await probeCertificate(`https://${address}:${port}`, 3_000, signal);
        return { fingerprint };
      } catch (error) {
        last = (error as Error).message;
      }
      if (signal?.aborted) throw new HypervisorError('cancelled', `first boot of ${node}: cancelled`, node);
      if (clock.now() >= until)
        throw new HypervisorError(
          'unreachable',
          `${node} did not answer at https://${address}:${port} within ${Math.round(deadlineMs / 60_000)} min after its first boot (${last})`,
          node,
        );
      await clock.sleep(retryMs, signal);
    }
  };
}
