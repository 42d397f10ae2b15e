/**
 * A terminal's far end: a node-pty process (ssh, serial console) or the simulator's shell.
 * The terminal manager only needs this much.
 */
export interface PtyLike {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  onData(listener: (data: string) => void): () => void;
  onExit(listener: (code: number) => void): () => void;
  kill(): void;
}

export interface PtySpawner {
  /** Opens a terminal on `node` (ssh, serial console or the simulated shell). */
  open(node: string, size: { cols: number; rows: number }): Promise<PtyLike>;
}
