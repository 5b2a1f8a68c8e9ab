/** One finished request, as the gateway reports it: names and numbers only, never a key or a message body. */
export interface GatewayRequestEvent {
  timestamp: number;
  method: string;
  path: string;
  status: number;
  /** The model name the client sent. */
  model?: string;
  /** The virtual key's id (not the key). */
  virtualKey?: string;
  /** The id of the upstream key that served it (not the secret). */
  keyId?: string;
  stream: boolean;
  durationMs: number;
  /** A short, secret-free reason when the request failed. */
  error?: string;
}

/** The gateway's typed events (the package never logs; an app or the CLI may print these). */
export interface GatewayEvents {
  request: GatewayRequestEvent;
  listening: { url: string };
  draining: { inFlight: number };
  closed: { cutStreams: number };
}

/** A gateway event name. */
export type GatewayEventName = keyof GatewayEvents;
