import type { MilestoneId } from './detect-milestones.ts';
import type { FaultKind } from './fault.ts';
import { nodeLossWindows, PVE_HA_TIMING } from './ha-timing.ts';
import type { LocalizedText } from './localized.ts';

/**
 * What Proxmox VE's HA stack should do, phase by phase, and why it takes that long.
 * Every range is derived from the timing model in ha-timing.ts (10 s CRM/LRM loops, 60 s fence
 * delay, 120 s lock lifetime, corosync's token), never written down by hand.
 */
export interface PhaseSpec {
  id: string;
  from: MilestoneId;
  to: MilestoneId;
  /** Expected duration from → to, in ms. */
  expected: { min: number; max: number };
  explanation: LocalizedText;
}

const TEXT = {
  detection: {
    en: 'Corosync drops the node from the membership once its token times out: a few seconds.',
    es: 'Corosync saca el nodo de la pertenencia al clúster en cuanto vence su token: unos pocos segundos.',
    ca: 'Corosync treu el node de la pertinença al clúster quan li caduca el token: pocs segons.',
    fr: "Corosync retire le nœud de l'appartenance au cluster dès que son jeton (token) expire : quelques secondes.",
    pl: 'Corosync usuwa węzeł z członkostwa w klastrze, gdy tylko wygaśnie jego token: kilka sekund.',
  },
  fenceDelay: {
    en: 'The CRM fences a node only 60 s after it last saw it online, and it looks every 10 s.',
    es: 'El CRM solo aísla (fencing) un nodo 60 s después de haberlo visto en línea por última vez, y mira cada 10 s.',
    ca: "El CRM només aïlla (fencing) un node 60 s després d'haver-lo vist en línia per última vegada, i mira cada 10 s.",
    fr: "Le CRM n'isole (fencing) un nœud que 60 s après l'avoir vu en ligne pour la dernière fois, et il regarde toutes les 10 s.",
    pl: 'CRM izoluje (fencing) węzeł dopiero 60 s po tym, jak ostatnio widział go online, a sprawdza co 10 s.',
  },
  fenceDelayMaster: {
    en: 'The dead node was the CRM master: the others wait ~120 s for its manager lock to expire, then the new master starts its own 60 s fence delay.',
    es: 'El nodo caído era el maestro del CRM: los demás esperan ~120 s a que caduque su bloqueo de gestor y luego el nuevo maestro empieza su propia espera de 60 s antes del fencing.',
    ca: 'El node caigut era el mestre del CRM: els altres esperen ~120 s que caduqui el seu bloqueig de gestor i després el nou mestre comença la seva pròpia espera de 60 s abans del fencing.',
    fr: "Le nœud mort était le maître du CRM : les autres attendent ~120 s l'expiration de son verrou de gestionnaire, puis le nouveau maître commence son propre délai de 60 s avant le fencing.",
    pl: 'Martwy węzeł był masterem CRM: pozostałe czekają ~120 s, aż wygaśnie jego blokada menedżera, a potem nowy master zaczyna własne 60 s oczekiwania przed fencingiem.',
  },
  lockExpiry: {
    en: "Fencing is acknowledged when the master can take the dead node's agent lock, which expires 120 s after its last renewal.",
    es: 'El fencing se confirma cuando el maestro consigue el bloqueo de agente del nodo caído, que caduca 120 s después de su última renovación.',
    ca: "El fencing es confirma quan el mestre aconsegueix el bloqueig d'agent del node caigut, que caduca 120 s després de l'última renovació.",
    fr: "Le fencing est confirmé quand le maître obtient le verrou d'agent du nœud mort, qui expire 120 s après son dernier renouvellement.",
    pl: 'Fencing zostaje potwierdzony, gdy master przejmie blokadę agenta martwego węzła, która wygasa 120 s po ostatnim odnowieniu.',
  },
  lockExpiryMaster: {
    en: "By then the dead node's agent lock expired long ago, so the new master acknowledges the fence at once.",
    es: 'Para entonces el bloqueo de agente del nodo caído ya caducó hace rato, así que el nuevo maestro confirma el fencing en el acto.',
    ca: "Aleshores el bloqueig d'agent del node caigut ja fa estona que ha caducat, així que el nou mestre confirma el fencing immediatament.",
    fr: "À ce moment, le verrou d'agent du nœud mort a expiré depuis longtemps : le nouveau maître confirme le fencing aussitôt.",
    pl: 'Do tego czasu blokada agenta martwego węzła dawno wygasła, więc nowy master od razu potwierdza fencing.',
  },
  lockReleased: {
    en: 'The node released its agent lock when it shut down cleanly, so the master takes it in its next round.',
    es: 'El nodo liberó su bloqueo de agente al apagarse de forma ordenada, así que el maestro lo obtiene en su siguiente ronda.',
    ca: "El node va alliberar el bloqueig d'agent en aturar-se de manera ordenada, així que el mestre l'obté a la ronda següent.",
    fr: "Le nœud a libéré son verrou d'agent en s'arrêtant proprement : le maître le prend à son tour suivant.",
    pl: 'Węzeł zwolnił blokadę agenta przy czystym wyłączeniu, więc master przejmuje ją w następnej rundzie.',
  },
  recovery: {
    en: 'In the same CRM round the service goes fence → recovery → started on the best surviving node.',
    es: 'En la misma ronda del CRM el servicio pasa por fence → recovery → started en el mejor nodo superviviente.',
    ca: 'En la mateixa ronda del CRM el servei passa per fence → recovery → started al millor node supervivent.',
    fr: 'Dans le même tour du CRM, le service passe par fence → recovery → started sur le meilleur nœud survivant.',
    pl: 'W tej samej rundzie CRM usługa przechodzi fence → recovery → started na najlepszym ocalałym węźle.',
  },
  vmStart: {
    en: "The new node's LRM picks the request up in its next loop (at most 10 s) and runs qm start.",
    es: 'El LRM del nuevo nodo recoge la petición en su siguiente ciclo (10 s como máximo) y ejecuta qm start.',
    ca: "L'LRM del nou node recull la petició al cicle següent (10 s com a màxim) i executa qm start.",
    fr: 'Le LRM du nouveau nœud prend la demande à sa boucle suivante (10 s au plus) et lance qm start.',
    pl: 'LRM nowego węzła odbiera żądanie w następnej pętli (najwyżej 10 s) i wykonuje qm start.',
  },
  guestBoot: {
    en: 'The guest OS must boot before its agent answers: seconds for Tiny Core, 30 s more if its boot prompt waits.',
    es: 'El sistema invitado debe arrancar antes de que responda su agente: segundos con Tiny Core, 30 s más si espera en el menú de arranque.',
    ca: "El sistema convidat ha d'arrencar abans que respongui el seu agent: segons amb Tiny Core, 30 s més si espera al menú d'arrencada.",
    fr: "L'OS invité doit démarrer avant que son agent réponde : quelques secondes pour Tiny Core, 30 s de plus si son invite de démarrage attend.",
    pl: 'System gościa musi się uruchomić, zanim odpowie jego agent: kilka sekund w Tiny Core, 30 s dłużej, jeśli czeka menu startowe.',
  },
  total: {
    en: "Proxmox documents about 2 minutes for detection and failover, plus the guest's own boot.",
    es: 'Proxmox documenta unos 2 minutos de detección y failover, más el arranque del propio invitado.',
    ca: 'Proxmox documenta uns 2 minuts de detecció i failover, més l’arrencada del mateix convidat.',
    fr: "Proxmox annonce environ 2 minutes de détection et de basculement, plus le démarrage de l'invité lui-même.",
    pl: 'Proxmox podaje około 2 minut na wykrycie i przełączenie awaryjne, plus własny rozruch gościa.',
  },
  cleanShutdown: {
    en: "A clean shutdown first stops the guests (HA shutdown policy 'conditional') and the cluster services; only then does the node leave.",
    es: 'Un apagado ordenado detiene primero los invitados (política de apagado de HA «conditional») y los servicios del clúster; solo entonces sale el nodo.',
    ca: "Una aturada ordenada primer atura els convidats (política d'aturada d'HA «conditional») i els serveis del clúster; només aleshores surt el node.",
    fr: "Un arrêt propre arrête d'abord les invités (politique d'arrêt HA « conditional ») et les services du cluster ; alors seulement le nœud s'en va.",
    pl: 'Czyste wyłączenie najpierw zatrzymuje gości (polityka wyłączania HA „conditional”) i usługi klastra; dopiero wtedy węzeł odchodzi.',
  },
  nodeReturn: {
    en: 'The node boots again and rejoins the cluster: as long as its firmware, kernel and cluster services take to start.',
    es: 'El nodo vuelve a arrancar y se reincorpora al clúster: lo que tarden en iniciarse su firmware, su núcleo y los servicios del clúster.',
    ca: 'El node torna a arrencar i es reincorpora al clúster: el que triguin a iniciar-se el firmware, el nucli i els serveis del clúster.',
    fr: 'Le nœud redémarre et rejoint le cluster : le temps que mettent à démarrer son firmware, son noyau et les services du cluster.',
    pl: 'Węzeł uruchamia się ponownie i wraca do klastra: tyle, ile trwa start firmware’u, jądra i usług klastra.',
  },
  restartInPlace: {
    en: 'Back before the 60 s fence delay ran out, the node is not fenced: its LRM takes its lock again and restarts the service there.',
    es: 'Si vuelve antes de que acaben los 60 s de espera del fencing, el nodo no se aísla: su LRM recupera el bloqueo y reinicia allí el servicio.',
    ca: "Si torna abans que s'acabin els 60 s d'espera del fencing, el node no s'aïlla: el seu LRM recupera el bloqueig i hi reinicia el servei.",
    fr: "S'il revient avant la fin du délai de fencing de 60 s, le nœud n'est pas isolé : son LRM reprend son verrou et y relance le service.",
    pl: 'Jeśli węzeł wróci przed upływem 60 s oczekiwania na fencing, nie jest izolowany: jego LRM odzyskuje blokadę i ponownie uruchamia tam usługę.',
  },
  storageDetection: {
    en: 'pvestatd checks every storage about every 10 s; an NFS server that stops answering shows as not available. HA does not react: the nodes are fine.',
    es: 'pvestatd comprueba cada almacenamiento cada 10 s más o menos; un servidor NFS que deja de responder aparece como no disponible. HA no reacciona: los nodos están bien.',
    ca: 'pvestatd comprova cada emmagatzematge cada 10 s aproximadament; un servidor NFS que deixa de respondre apareix com a no disponible. HA no reacciona: els nodes estan bé.',
    fr: 'pvestatd vérifie chaque stockage environ toutes les 10 s ; un serveur NFS qui ne répond plus apparaît indisponible. HA ne réagit pas : les nœuds vont bien.',
    pl: 'pvestatd sprawdza każdy magazyn mniej więcej co 10 s; serwer NFS, który przestał odpowiadać, jest widoczny jako niedostępny. HA nie reaguje: węzły działają.',
  },
  labExpected: {
    en: 'The range the lab author expects for this milestone, counted from the fault.',
    es: 'El margen que el autor del laboratorio espera para este hito, contado desde el fallo.',
    ca: "El marge que l'autor del laboratori espera per a aquesta fita, comptat des de la fallada.",
    fr: "La plage que l'auteur du lab attend pour ce jalon, comptée depuis la panne.",
    pl: 'Zakres, którego autor laboratorium oczekuje dla tego kamienia milowego, liczony od awarii.',
  },
} satisfies Record<string, LocalizedText>;

/** Shown for a phase whose range comes from the lab file rather than from Proxmox's timers. */
export const LAB_EXPECTED_EXPLANATION: LocalizedText = TEXT.labExpected;

const T = PVE_HA_TIMING;

const GUEST_PHASES: PhaseSpec[] = [
  {
    id: 'vm-start',
    from: 'service-started',
    to: 'guest-running',
    expected: { min: 0, max: T.lrmLoopMs + T.guestStartMs },
    explanation: TEXT.vmStart,
  },
  {
    id: 'guest-boot',
    from: 'guest-running',
    to: 'guest-answering',
    expected: { min: 0, max: T.guestBootMs },
    explanation: TEXT.guestBoot,
  },
];

/** A node lost without warning (power, cable): the same phases, with the master variant's longer waits. */
function nodeLossPhases(master: boolean): PhaseSpec[] {
  const w = nodeLossWindows(master);
  return [
    {
      id: 'detection',
      from: 'fault-injected',
      to: 'node-offline',
      expected: { ...w.nodeOffline },
      explanation: TEXT.detection,
    },
    {
      id: 'fence-delay',
      from: 'fault-injected',
      to: 'fence',
      expected: { ...w.fence },
      explanation: master ? TEXT.fenceDelayMaster : TEXT.fenceDelay,
    },
    {
      id: 'lock-expiry',
      from: 'fault-injected',
      to: 'fenced',
      expected: { ...w.fenced },
      explanation: master ? TEXT.lockExpiryMaster : TEXT.lockExpiry,
    },
    {
      id: 'recovery',
      from: 'fault-injected',
      to: 'service-started',
      expected: { ...w.serviceStarted },
      explanation: TEXT.recovery,
    },
    ...GUEST_PHASES,
    {
      id: 'total',
      from: 'fault-injected',
      to: 'guest-answering',
      expected: { ...w.guestAnswering },
      explanation: TEXT.total,
    },
  ];
}

/**
 * The phases to time for a fault, and the range Proxmox's timers allow for each. A fault on a
 * machine that is not a node (the NAS) only times how fast the storage is seen gone.
 */
export function expectedPhases(
  fault: FaultKind,
  target: { hitsNode: boolean; wasMaster: boolean },
): PhaseSpec[] {
  const targetWasMaster = target.wasMaster;
  if (!target.hitsNode) {
    return [
      {
        id: 'storage-detection',
        from: 'fault-injected',
        to: 'storage-offline',
        // The status lags up to one pvestatd period; the NFS probe itself may take two more to time out.
        expected: { min: 0, max: 3 * T.storageStatusMs },
        explanation: TEXT.storageDetection,
      },
    ];
  }
  switch (fault) {
    case 'power-off':
    case 'cable-out':
      return nodeLossPhases(targetWasMaster);
    case 'acpi-shutdown':
      return [
        {
          id: 'detection',
          from: 'fault-injected',
          to: 'node-offline',
          expected: { min: 0, max: T.cleanShutdownMs + T.detectionMs.max },
          explanation: TEXT.cleanShutdown,
        },
        {
          id: 'fence-delay',
          from: 'node-offline',
          to: 'fence',
          // Last seen online up to one CRM round before it left; the fencing round may slip by one.
          expected: { min: T.fenceDelayMs - T.crmLoopMs, max: T.fenceDelayMs + T.crmLoopMs },
          explanation: TEXT.fenceDelay,
        },
        {
          id: 'lock-expiry',
          from: 'fence',
          to: 'fenced',
          expected: { min: 0, max: T.crmLoopMs },
          explanation: TEXT.lockReleased,
        },
        {
          id: 'recovery',
          from: 'fenced',
          to: 'service-started',
          expected: { min: 0, max: T.crmLoopMs },
          explanation: TEXT.recovery,
        },
        ...GUEST_PHASES,
      ];
    case 'reset':
      return [
        {
          id: 'detection',
          from: 'fault-injected',
          to: 'node-offline',
          expected: { ...T.detectionMs },
          explanation: TEXT.detection,
        },
        {
          id: 'node-return',
          from: 'fault-injected',
          to: 'node-online',
          expected: { ...T.nodeReturnMs },
          explanation: TEXT.nodeReturn,
        },
        {
          id: 'restart',
          from: 'node-online',
          to: 'service-started',
          // The returned LRM waits for its agent lock one round, then starts the service the next.
          expected: { min: 0, max: 2 * T.lrmLoopMs },
          explanation: TEXT.restartInPlace,
        },
        ...GUEST_PHASES,
      ];
  }
}
