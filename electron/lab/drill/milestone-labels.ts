import type { MilestoneId } from './detect-milestones.ts';
import type { LocalizedText } from './localized.ts';

/** Short names of the milestones for timelines and CSV readers, in every shipped language. */
export const MILESTONE_LABELS: Record<MilestoneId, LocalizedText> = {
  'fault-injected': { en: 'Fault injected', es: 'Fallo provocado', ca: 'Fallada provocada', fr: 'Panne provoquée', pl: 'Awaria wywołana' },
  'node-offline': { en: 'Node seen offline', es: 'Nodo visto fuera de línea', ca: 'Node vist fora de línia', fr: 'Nœud vu hors ligne', pl: 'Węzeł widoczny jako offline' },
  'quorum-recomputed': { en: 'Quorum recomputed', es: 'Quórum recalculado', ca: 'Quòrum recalculat', fr: 'Quorum recalculé', pl: 'Kworum przeliczone' },
  'quorum-lost': { en: 'Quorum lost', es: 'Quórum perdido', ca: 'Quòrum perdut', fr: 'Quorum perdu', pl: 'Kworum utracone' },
  'ha-node-unknown': { en: 'HA node state unknown', es: 'Estado HA del nodo: unknown', ca: "Estat HA del node: unknown", fr: 'État HA du nœud : unknown', pl: 'Stan HA węzła: unknown' },
  'service-frozen': { en: 'Service frozen', es: 'Servicio congelado (freeze)', ca: 'Servei congelat (freeze)', fr: 'Service gelé (freeze)', pl: 'Usługa zamrożona (freeze)' },
  fence: { en: 'Fence', es: 'Fencing', ca: 'Fencing', fr: 'Fencing', pl: 'Fencing' },
  fenced: { en: 'Fence acknowledged', es: 'Fencing confirmado', ca: 'Fencing confirmat', fr: 'Fencing confirmé', pl: 'Fencing potwierdzony' },
  recovery: { en: 'Service recovery', es: 'Recuperación del servicio', ca: 'Recuperació del servei', fr: 'Récupération du service', pl: 'Odzyskiwanie usługi' },
  'node-online': { en: 'Node back online', es: 'Nodo de nuevo en línea', ca: 'Node de nou en línia', fr: 'Nœud de retour en ligne', pl: 'Węzeł znów online' },
  'quorum-regained': { en: 'Quorum regained', es: 'Quórum recuperado', ca: 'Quòrum recuperat', fr: 'Quorum retrouvé', pl: 'Kworum odzyskane' },
  'storage-offline': { en: 'Shared storage unavailable', es: 'Almacenamiento compartido no disponible', ca: 'Emmagatzematge compartit no disponible', fr: 'Stockage partagé indisponible', pl: 'Współdzielony magazyn niedostępny' },
  'service-started': { en: 'Service started', es: 'Servicio iniciado', ca: 'Servei iniciat', fr: 'Service démarré', pl: 'Usługa uruchomiona' },
  'guest-running': { en: 'Guest running', es: 'Invitado en ejecución', ca: 'Convidat en execució', fr: 'Invité en cours d’exécution', pl: 'Gość działa' },
  'guest-answering': { en: 'Guest answering', es: 'Invitado responde', ca: 'El convidat respon', fr: 'L’invité répond', pl: 'Gość odpowiada' },
};

/** Names of the timed phases. */
export const PHASE_LABELS: Record<string, LocalizedText> = {
  detection: { en: 'Detection', es: 'Detección', ca: 'Detecció', fr: 'Détection', pl: 'Wykrycie' },
  'fence-delay': { en: 'Fence delay', es: 'Espera del fencing', ca: 'Espera del fencing', fr: 'Délai de fencing', pl: 'Opóźnienie fencingu' },
  'lock-expiry': { en: 'Agent lock expiry', es: 'Caducidad del bloqueo de agente', ca: "Caducitat del bloqueig d'agent", fr: "Expiration du verrou d'agent", pl: 'Wygaśnięcie blokady agenta' },
  recovery: { en: 'Recovery', es: 'Recuperación', ca: 'Recuperació', fr: 'Récupération', pl: 'Odzyskiwanie' },
  'vm-start': { en: 'VM start', es: 'Arranque de la VM', ca: 'Arrencada de la VM', fr: 'Démarrage de la VM', pl: 'Start maszyny wirtualnej' },
  'guest-boot': { en: 'Guest boot', es: 'Arranque del invitado', ca: 'Arrencada del convidat', fr: "Démarrage de l'invité", pl: 'Rozruch gościa' },
  total: { en: 'Total', es: 'Total', ca: 'Total', fr: 'Total', pl: 'Łącznie' },
  'node-return': { en: 'Node returns', es: 'Vuelta del nodo', ca: 'Tornada del node', fr: 'Retour du nœud', pl: 'Powrót węzła' },
  restart: { en: 'Restart in place', es: 'Reinicio en el mismo nodo', ca: 'Reinici al mateix node', fr: 'Redémarrage sur place', pl: 'Restart na miejscu' },
  'storage-detection': { en: 'Storage loss seen', es: 'Pérdida de almacenamiento detectada', ca: "Pèrdua d'emmagatzematge detectada", fr: 'Perte du stockage constatée', pl: 'Wykryta utrata magazynu' },
};
