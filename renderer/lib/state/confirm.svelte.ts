/** One confirmation question at a time ("pull the plug of pve2?"), answered through a dialog. */
export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  cancelLabel: string;
  /** Red confirm button only when the action destroys or interrupts something (not "Power on"). */
  destructive?: boolean;
}

export class ConfirmState {
  #request = $state<ConfirmRequest | null>(null);
  #resolve: ((answer: boolean) => void) | null = null;

  get request(): ConfirmRequest | null {
    return this.#request;
  }

  ask(request: ConfirmRequest): Promise<boolean> {
    this.#resolve?.(false);
    this.#request = request;
    return new Promise((resolve) => (this.#resolve = resolve));
  }

  answer(yes: boolean): void {
    const resolve = this.#resolve;
    this.#resolve = null;
    this.#request = null;
    resolve?.(yes);
  }
}
