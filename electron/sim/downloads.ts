/**
 * `download-url`: the simulator fetches nothing; the file appears on the storage after a
 * plausible transfer time, as a task with the real log lines. The storage must still answer then.
 */
import type { SimCore } from './sim-core.ts';
import type { AgendaEvents, TaskState } from './state.ts';
import { addUploadedFile, storageConfigs } from './storage.ts';
import { finishTask, startTask, taskLog } from './tasks.ts';

const DOWNLOAD_MS = 12_000;
/** Size the simulator gives a downloaded file. */
const DOWNLOADED_SIZE = 32 * 1024 * 1024;

export function validVolumeFilename(content: string, filename: string): boolean {
  if (content === 'iso') return /^[-\w.+]+\.(iso|img)$/i.test(filename);
  if (content === 'vztmpl') return /^[-\w.+]+\.tar\.(gz|xz|zst|bz2)$/i.test(filename);
  return /^[-\w.+]+\.(ova|ovf|qcow2|raw|vmdk)$/i.test(filename);
}

export function storageSubdir(content: string): string {
  return content === 'iso' ? 'template/iso' : content === 'vztmpl' ? 'template/cache' : 'import';
}

/** Agenda handler: a download-url task finishes (the NAS and the node must still be there). */
export function finishDownload(
  core: SimCore,
  { upid, node, storeid, content, filename, url, target }: AgendaEvents['download-done'],
): void {
  const task = (core.state.tasks[node] ?? []).find((t) => t.upid === upid);
  if (!task || task.status !== 'running') return;
  try {
    addUploadedFile(core, storeid, node, content, filename, DOWNLOADED_SIZE);
    taskLog(task, `download of '${url}' to '${target}' finished`);
    finishTask(core, task);
  } catch (e) {
    finishTask(core, task, (e as Error).message);
  }
}

export function startDownload(
  core: SimCore,
  node: string,
  storeid: string,
  content: string,
  filename: string,
  url: string,
  user: string,
): TaskState {
  const task = startTask(core, node, 'download', filename, user);
  const base = storageConfigs(core, node)[storeid]?.path ?? '/var/lib/vz';
  const target = `${base}/${storageSubdir(content)}/${filename}`;
  taskLog(task, `downloading ${url} to ${target}`);
  core.at(core.now() + DOWNLOAD_MS, 'download-done', {
    upid: task.upid,
    node,
    storeid,
    content: content as AgendaEvents['download-done']['content'],
    filename,
    url,
    target,
  });
  return task;
}
