/** The UI's host check, per backend: the simulator needs nothing; VirtualBox gets the doctor's findings. */
import type { BackendKind, HostCheckInfo, LocalizedString } from '../contract/dto.ts';
import { diagnose, worstSeverity } from '../hypervisor/doctor/doctor-rules.ts';
import type { HostFacts } from '../hypervisor/doctor/host-facts.ts';

const SIMULATOR_TITLE: LocalizedString = {
  en: 'Embedded simulator',
  es: 'Simulador integrado',
  ca: 'Simulador integrat',
  fr: 'Simulateur intégré',
  pl: 'Wbudowany symulator',
};
const SIMULATOR_DETAIL: LocalizedString = {
  en: 'The simulated Proxmox VE datacenter runs inside NestLab and needs nothing else from this computer.',
  es: 'El centro de datos Proxmox VE simulado funciona dentro de NestLab y no necesita nada más de este ordenador.',
  ca: 'El centre de dades Proxmox VE simulat funciona dins de NestLab i no necessita res més d’aquest ordinador.',
  fr: 'Le centre de données Proxmox VE simulé tourne dans NestLab et ne demande rien d’autre à cet ordinateur.',
  pl: 'Symulowane centrum danych Proxmox VE działa wewnątrz NestLab i nie potrzebuje niczego więcej od tego komputera.',
};

export type GatherHostFacts = (options: { webService: boolean }) => Promise<HostFacts>;

async function gatherLocal(options: { webService: boolean }): Promise<HostFacts> {
  const { gatherLocalHostFacts } = await import('../hypervisor/doctor/local-host-facts.ts');
  return gatherLocalHostFacts(options);
}

export async function checkHost(
  backend: BackendKind,
  gather: GatherHostFacts = gatherLocal,
): Promise<HostCheckInfo> {
  if (backend === 'sim') {
    return {
      backend,
      ok: true,
      findings: [
        {
          id: 'simulator',
          severity: 'ok',
          title: SIMULATOR_TITLE.en,
          detail: SIMULATOR_DETAIL.en,
          fix: null,
          localized: { title: SIMULATOR_TITLE, detail: SIMULATOR_DETAIL, fix: null },
        },
      ],
    };
  }
  // The web service is not started from the UI's check: it would be a side effect of looking.
  const findings = diagnose(await gather({ webService: false }));
  return {
    backend,
    ok: worstSeverity(findings) !== 'error',
    findings: findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      title: f.title,
      detail: f.detail,
      fix: f.fix ?? null,
    })),
  };
}
