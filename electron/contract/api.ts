/** The method map: every call the renderer can make, its params and its result. */
import type {
  AppInfo,
  DrillHistoryEntry,
  DrillStateInfo,
  FailoverReportInfo,
  HostCheckInfo,
  LabBuildInfo,
  LabLibrary,
  LabRunInfo,
  SettingsInfo,
  SimClockInfo,
  TerminalInfo,
  TopologyInfo,
  TrustRequestInfo,
} from './dto.ts';
import type { PveResults } from './pve-dto.ts';
import type { MethodName, ParamsOf } from './schemas.ts';

interface Results extends PveResults {
  'app.info': AppInfo;
  'settings.get': SettingsInfo;
  'settings.set': SettingsInfo;
  'host.check': HostCheckInfo;
  'lab.list': LabLibrary;
  'lab.open': LabRunInfo;
  'lab.getState': LabRunInfo | null;
  'lab.close': null;
  'lab.check': LabRunInfo;
  'lab.solveStep': LabRunInfo;
  'lab.solveUpTo': LabRunInfo;
  'lab.reset': LabRunInfo;
  'lab.build': LabBuildInfo;
  'lab.showHint': LabRunInfo;
  'lab.setLanguage': LabRunInfo | null;
  'topology.getState': TopologyInfo | null;
  'machine.act': { at: number };
  'sim.getClock': SimClockInfo | null;
  'sim.setSpeed': SimClockInfo;
  'terminal.open': TerminalInfo;
  'terminal.input': null;
  'terminal.resize': null;
  'terminal.close': null;
  'drill.start': DrillStateInfo;
  'drill.getState': DrillStateInfo;
  'drill.history': DrillHistoryEntry[];
  'drill.report': FailoverReportInfo;
  'drill.export': { filename: string; mime: string; content: string };
  'drill.import': DrillHistoryEntry;
  'trust.pending': TrustRequestInfo[];
  'trust.answer': null;
}

export type ApiMethods = {
  [M in MethodName]: (params: ParamsOf<M>) => Results[M];
};

export type ResultOf<M extends MethodName> = Results[M];

export type { MethodName, ParamsOf };
