/**
 * A few hand-written SOAP calls that need no WSDL parsing (the 3.6 MB WSDL takes ~0.5 s): log on,
 * read the API version, log off. Used to wait for a fresh vboxwebsrv and to pick the WSDL to load.
 */
import { logonFailureMessage, readVBoxFault } from './vbox-fault.ts';

export interface ProbeResult {
  apiVersion: string;
  version: string;
}

export class SoapProbeError extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'auth-failed' | 'protocol',
  ) {
    super(message);
    this.name = 'SoapProbeError';
  }
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function envelope(operation: string, fields: Record<string, string>): string {
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:vbox="http://www.virtualbox.org/">' +
    `<soap:Body><vbox:${operation}>${body}</vbox:${operation}></soap:Body></soap:Envelope>`
  );
}

async function call(
  url: string,
  operation: string,
  fields: Record<string, string>,
  signal?: AbortSignal,
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body: envelope(operation, fields),
      // A server that accepts the connection but never answers must not hang the readiness loop.
      signal: signal ?? AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new SoapProbeError(
      `vboxwebsrv at ${url} is not answering (${(error as Error).message})`,
      'unreachable',
    );
  }
  const text = await response.text();
  const fault = /<faultstring>([\s\S]*?)<\/faultstring>/.exec(text);
  if (fault) {
    const message = fault[1] ?? '';
    const auth = operation === 'IWebsessionManager_logon';
    const text = readVBoxFault(new Error(message)).text;
    throw new SoapProbeError(
      `${operation}: ${auth ? logonFailureMessage(text) : text}`,
      auth ? 'auth-failed' : 'protocol',
    );
  }
  const value = /<returnval>([\s\S]*?)<\/returnval>/.exec(text);
  if (!response.ok || !value)
    throw new SoapProbeError(`${operation}: unexpected answer (HTTP ${response.status})`, 'protocol');
  return value[1] ?? '';
}

/** Logs on, reads the version, logs off. Throws SoapProbeError telling unreachable from bad credentials. */
export async function probeVBoxWebService(
  url: string,
  username: string,
  password: string,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const ref = await call(url, 'IWebsessionManager_logon', { username, password }, signal);
  try {
    const apiVersion = await call(url, 'IVirtualBox_getAPIVersion', { _this: ref }, signal);
    const version = await call(url, 'IVirtualBox_getVersion', { _this: ref }, signal);
    return { apiVersion, version };
  } finally {
    await call(url, 'IWebsessionManager_logoff', { refIVirtualBox: ref }, signal).catch(() => undefined);
  }
}
