// What docker/ needs to know about an agent and its engine, declared here so docker/ never imports the config.

/** A Docker engine other than the default one: unix socket path, tcp://host:port (TLS files optional), ssh://user@host. */
export type EngineChoice = string | { host: string; ca?: string; cert?: string; key?: string; knownHosts?: string };

/** One agent with every default applied (the config's resolved agent has this shape). */
export interface ContainerAgent {
  id: string;
  role: 'orchestrator' | 'worker';
  runtime: 'docker' | 'local';
  containerName: string;
  image: string;
  /** Literal environment from the config. */
  env: Record<string, string>;
  /** Names of host variables passed through per exec (values never stored). */
  passEnv: string[];
  engine?: EngineChoice;
  cpuset?: string;
  cpus?: number;
  memory?: string | number;
  pidsLimit?: number;
  gpus?: 'all' | number;
  network?: string;
  /** `network: host` or `container:…` are refused without it. */
  allowHostNetwork?: boolean;
  /** Destinations the egress proxy lets through when `network` is not set. */
  egressAllow: string[];
  /** The egress proxy's network (default: the engine's bridge, else the host's). */
  egressProxyNetwork?: string;
}
