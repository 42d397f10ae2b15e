/** How the renderer reaches the engine: Electron's preload bridge or the browser host's WebSocket. */
export interface Transport {
  invoke(method: string, params: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** Called when the connection drops and comes back (state must be re-fetched). */
  onReconnect?(listener: () => void): () => void;
  /** Called with false when an established connection drops and true when it is back. */
  onConnectionChange?(listener: (connected: boolean) => void): () => void;
}

/** A failure reported by the engine, as `{code, message}`. */
export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}
