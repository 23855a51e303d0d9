// Parses "host:port", ":port" or "[v6]:port" as given to --web.listen-address.

export interface ListenAddress {
  /** undefined = every interface. */
  readonly host: string | undefined;
  readonly port: number;
}

export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([a-zA-Z0-9.-]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match)
    throw new RangeError(`web.listen_address: expected host:port such as ":10464" or "127.0.0.1:10464", got ${JSON.stringify(text)}`);
  if (!Number.isInteger(port) || port > 65535)
    throw new RangeError(`web.listen_address: expected a port between 0 and 65535, got ${JSON.stringify(text)}`);
  const host = match[1] ?? (match[2] === '' ? undefined : match[2]);
  return { host, port };
}
