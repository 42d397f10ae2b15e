/** SOAP faults shaped like vboxwebsrv's (vboxweb.cpp RaiseSoapRuntimeFault / InvalidObjectFault). */

export const RC = {
  E_NOTIMPL: 0x80004001,
  E_FAIL: 0x80004005,
  E_ACCESSDENIED: 0x80070005,
  E_INVALIDARG: 0x80070057,
  VBOX_E_OBJECT_NOT_FOUND: 0x80bb0001,
  VBOX_E_INVALID_VM_STATE: 0x80bb0002,
  VBOX_E_FILE_ERROR: 0x80bb0004,
  VBOX_E_INVALID_OBJECT_STATE: 0x80bb0007,
  VBOX_E_NOT_SUPPORTED: 0x80bb0009,
  VBOX_E_INVALID_SESSION_STATE: 0x80bb000b,
  VBOX_E_OBJECT_IN_USE: 0x80bb000c,
} as const;

export interface SoapFaultThrowable {
  Fault: { faultcode: string; faultstring: string; statusCode: number };
}

export function vboxFault(rc: number, text: string): SoapFaultThrowable {
  const hex = '0x' + (rc >>> 0).toString(16).padStart(8, '0');
  return {
    Fault: {
      faultcode: 'SOAP-ENV:Server',
      faultstring: `VirtualBox error: apirc=${hex} ${text} (${hex})`,
      statusCode: 500,
    },
  };
}

export function invalidRefFault(ref: string): SoapFaultThrowable {
  return {
    Fault: {
      faultcode: 'SOAP-ENV:Server',
      faultstring: `VirtualBox error: Invalid managed object reference "${ref}"`,
      statusCode: 500,
    },
  };
}

export function validationFault(text: string): SoapFaultThrowable {
  return { Fault: { faultcode: 'SOAP-ENV:Client', faultstring: text, statusCode: 500 } };
}

/** gSOAP's answer to an operation the server does not know, as a raw SOAP 1.1 envelope. */
export function unknownMethodEnvelope(qualifiedName: string): string {
  const text = `Method '${qualifiedName}' not implemented: method name or namespace not recognized`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">' +
    `<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>${text}</faultstring>` +
    '</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>'
  );
}
