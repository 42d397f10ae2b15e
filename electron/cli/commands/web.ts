/** `nestlab web`: the browser host (the UI in a browser, over a loopback WebSocket). */
import type { Command } from 'commander';

import { installProcessGuard } from '../../app/process-guard.ts';
import { BACKENDS, type BackendKind } from '../../contract/dto.ts';

export function registerWeb(program: Command): void {
  program
    .command('web')
    .description('Serve the NestLab UI to a browser on 127.0.0.1 (prints the URL to open, with its token)')
    .option('--port <port>', 'port to listen on (default: a free one)', (v) => Number.parseInt(v, 10))
    .option('--backend <backend>', `backend: ${BACKENDS.join(' | ')}`)
    .option(
      '--host-terminal',
      'allow the "This computer" terminal in the browser (a shell on this machine for whoever holds the address)',
    )
    .action(async (options: { port?: number; backend?: string; hostTerminal?: boolean }) => {
      if (options.backend && !BACKENDS.includes(options.backend as BackendKind)) {
        program.error(`Unknown backend "${options.backend}". Use one of: ${BACKENDS.join(', ')}.`);
      }
      // Loaded on use so `nestlab --help` stays instant.
      const { startBrowserHost } = await import('../../server.ts');
      const started = await startBrowserHost({
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.backend ? { backend: options.backend as BackendKind } : {}),
        hostTerminal: options.hostTerminal === true,
      }).catch((error: unknown) => {
        // Another NestLab on this data folder, a port in use: say it in one line, no stack trace.
        program.error(error instanceof Error ? error.message : String(error));
      });
      const { host, close, addressChanged } = started;
      if (addressChanged) {
        console.log(
          `Port ${addressChanged.previousPort} (last time's address) is in use by another program, so the address changed. ` +
            'A tab still open on the old address cannot reach NestLab: open the new one below.',
        );
      }
      installProcessGuard({ entry: 'nestlab web', mode: 'serve' });
      console.log(`NestLab is running. Open this address in your browser:\n\n  ${host.url}\n`);
      console.log('Only this machine can connect (127.0.0.1), and only with the token in the address.');
      if (options.hostTerminal) {
        console.log('The "This computer" terminal is ON: anyone with this address gets a shell as you.');
      }
      console.log('Press Ctrl+C to stop.');
      const stop = (): void => {
        void close().finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
