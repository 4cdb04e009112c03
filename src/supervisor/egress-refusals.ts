// Turns an agent's egress refusals into events a person reads, without letting a retrying or scanning agent flood the log.

const MINUTE_MS = 60_000;

/**
 * One agent's refusals: each destination is reported at most once a minute, and at most `perMinute` destinations a
 * minute, then one line saying more were refused (the proxy container's log has them all).
 */
export class EgressRefusals {
  private readonly lastByDestination = new Map<string, number>();
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;

  constructor(
    private readonly emit: (reason: string) => void,
    private readonly proxyName: string,
    private readonly perMinute = 10,
  ) {}

  report(line: { host?: string; port?: number; reason?: string }, now = Date.now()): void {
    if (now - this.windowStart >= MINUTE_MS) {
      this.windowStart = now;
      this.inWindow = 0;
      for (const [key, time] of this.lastByDestination) if (now - time >= MINUTE_MS) this.lastByDestination.delete(key);
    }
    const destination = `${line.host}:${line.port}`;
    if (now - (this.lastByDestination.get(destination) ?? Number.NEGATIVE_INFINITY) < MINUTE_MS) return;
    this.lastByDestination.set(destination, now);
    this.inWindow++;
    if (this.inWindow <= this.perMinute) this.emit(`egress refused: ${line.reason ?? destination}`);
    else if (this.inWindow === this.perMinute + 1)
      this.emit(`egress refused: more destinations this minute (all in \`docker logs ${this.proxyName}\`)`);
  }
}
