// The lab flow, driven through the UI: placeholder filled in below.
export async function labChecks() {}
