/** The UI's host check, per backend: the simulator needs nothing; VirtualBox gets the doctor's findings. */
import type { BackendKind, HostCheckInfo } from '../contract/dto.ts';
import { diagnose, worstSeverity } from '../hypervisor/doctor/doctor-rules.ts';
import type { HostFacts } from '../hypervisor/doctor/host-facts.ts';

export type GatherHostFacts = (options: { webService: boolean }) => Promise<HostFacts>;

async function gatherLocal(options: { webService: boolean }): Promise<HostFacts> {
  const { gatherLocalHostFacts } = await import('../hypervisor/doctor/local-host-facts.ts');
  return gatherLocalHostFacts(options);
}

export async function checkHost(backend: BackendKind, gather: GatherHostFacts = gatherLocal): Promise<HostCheckInfo> {
  if (backend === 'sim') {
    return {
      backend,
      ok: true,
      findings: [
        {
          id: 'simulator',
          severity: 'ok',
          title: 'Embedded simulator',
          detail: 'The simulated Proxmox VE datacenter runs inside NestLab and needs nothing else from this computer.',
          fix: null,
        },
      ],
    };
  }
  // The web service is not started from the UI's check: it would be a side effect of looking.
  const findings = diagnose(await gather({ webService: false }));
  return {
    backend,
    ok: worstSeverity(findings) !== 'error',
    findings: findings.map((f) => ({ id: f.id, severity: f.severity, title: f.title, detail: f.detail, fix: f.fix ?? null })),
  };
}
