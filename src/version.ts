/** The dora version, shared by every role and handshake. */
export const DORA_VERSION = "0.1.0";
