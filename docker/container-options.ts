// A ContainerSpec as the engine takes it (create options, `docker run` flags), and what a running container lacks of it.
import type Docker from 'dockerode';
import type { ContainerSpec } from './container-spec.js';

/** The hardening every container of ours gets, whatever the spec says. */
const CAP_DROP = ['ALL'];
const SECURITY_OPT = ['no-new-privileges:true'];

/** Engine API create options for a spec (the agent containers). */
export function createOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.image,
    User: spec.user,
    WorkingDir: spec.workingDir,
    Cmd: spec.command,
    Labels: spec.labels,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    HostConfig: {
      Mounts: [
        ...spec.binds.map((bind) => ({
          Type: 'bind' as const,
          Source: bind.source,
          Target: bind.target,
          ReadOnly: bind.readOnly,
        })),
        ...spec.volumes.map((volume) => ({
          Type: 'volume' as const,
          Source: volume.name,
          Target: volume.target,
          ReadOnly: volume.readOnly,
          // NoCopy false: a new login volume starts with the image's ~/.claude (and its ownership).
          ...(volume.readOnly
            ? {}
            : { VolumeOptions: { NoCopy: false, Labels: spec.labels, DriverConfig: { Name: 'local', Options: {} } } }),
        })),
      ],
      Tmpfs: spec.tmpfs,
      Init: spec.init,
      ReadonlyRootfs: spec.readOnlyRootfs,
      CpusetCpus: spec.cpuset,
      NanoCpus: spec.nanoCpus,
      Memory: spec.memoryBytes,
      // Swap equal to the limit: the limit is real, and exceeding it shows as OOM-killed.
      MemorySwap: spec.memoryBytes,
      PidsLimit: spec.pidsLimit,
      CapDrop: CAP_DROP,
      SecurityOpt: SECURITY_OPT,
      NetworkMode: spec.network,
      RestartPolicy: { Name: 'no' },
      DeviceRequests:
        spec.gpus === undefined
          ? undefined
          : [{ Driver: 'nvidia', Count: spec.gpus === 'all' ? -1 : spec.gpus, Capabilities: [['gpu']] }],
    },
  };
}

/** `docker run` flags for a spec (experiment containers, which the experiment runner starts as a child process). */
export function dockerRunFlags(spec: ContainerSpec): string[] {
  const flags = [
    '--name',
    spec.name,
    '--user',
    spec.user,
    '--workdir',
    spec.workingDir,
    '--init',
    '--read-only',
    '--network',
    spec.network,
  ];
  flags.push('--cap-drop', CAP_DROP[0]!, '--security-opt', SECURITY_OPT[0]!, '--pids-limit', String(spec.pidsLimit));
  for (const [key, value] of Object.entries(spec.labels)) flags.push('--label', `${key}=${value}`);
  for (const bind of spec.binds)
    flags.push('--mount', `type=bind,source=${bind.source},target=${bind.target}${bind.readOnly ? ',readonly' : ''}`);
  for (const volume of spec.volumes)
    flags.push(
      '--mount',
      `type=volume,source=${volume.name},target=${volume.target}${volume.readOnly ? ',readonly' : ''}`,
    );
  for (const [target, options] of Object.entries(spec.tmpfs)) flags.push('--tmpfs', `${target}:${options}`);
  for (const [key, value] of Object.entries(spec.env)) flags.push('--env', `${key}=${value}`);
  if (spec.cpuset) flags.push('--cpuset-cpus', spec.cpuset);
  if (spec.nanoCpus) flags.push('--cpus', String(spec.nanoCpus / 1e9));
  if (spec.memoryBytes) flags.push('--memory', String(spec.memoryBytes), '--memory-swap', String(spec.memoryBytes));
  return flags;
}

function sameSet(a: readonly string[] | null | undefined, b: readonly string[]): boolean {
  const left = [...(a ?? [])].sort();
  const right = [...b].sort();
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

/**
 * What an existing container differs in from the spec, as far as what the agent can reach is concerned: image,
 * user, mounts, in-memory mounts, capabilities, privileges, network. Resource limits are left out (they are
 * updated in place). An empty list means the container may be reattached and exec'd into.
 */
export function securityDifferences(info: Docker.ContainerInspectInfo, spec: ContainerSpec): string[] {
  const differences: string[] = [];
  const host = info.HostConfig as Docker.HostConfig & {
    Init?: boolean | null;
    ReadonlyRootfs?: boolean;
    Tmpfs?: Record<string, string>;
  };
  if (info.Config.Image !== spec.image) differences.push(`image ${info.Config.Image} instead of ${spec.image}`);
  if (info.Config.User !== spec.user) differences.push(`user ${info.Config.User || 'root'} instead of ${spec.user}`);
  const mounts = (info.Mounts ?? []).map(
    (mount) => `${mount.Destination}=${mount.Type === 'volume' ? mount.Name : mount.Source}:${mount.RW ? 'rw' : 'ro'}`,
  );
  const wanted = [
    ...spec.binds.map((bind) => `${bind.target}=${bind.source}:${bind.readOnly ? 'ro' : 'rw'}`),
    ...spec.volumes.map((volume) => `${volume.target}=${volume.name}:${volume.readOnly ? 'ro' : 'rw'}`),
  ];
  const missing = wanted.filter((entry) => !mounts.includes(entry));
  const extra = mounts.filter((entry) => !wanted.includes(entry));
  if (missing.length || extra.length) {
    differences.push(
      `mounts (${[...missing.map((entry) => `missing ${entry}`), ...extra.map((entry) => `unexpected ${entry}`)].join(', ')})`,
    );
  }
  const tmpfs = Object.entries(host.Tmpfs ?? {}).map(([target, options]) => `${target}:${options}`);
  if (
    !sameSet(
      tmpfs,
      Object.entries(spec.tmpfs).map(([target, options]) => `${target}:${options}`),
    )
  )
    differences.push(`in-memory mounts (${tmpfs.join(' ') || 'none'})`);
  if (!host.ReadonlyRootfs) differences.push('a writable root filesystem');
  if (!host.Init) differences.push('no init process');
  if (!sameSet(host.CapDrop, CAP_DROP) || (host.CapAdd ?? []).length)
    differences.push(
      `capabilities (drop ${(host.CapDrop ?? []).join(',') || 'none'}, add ${(host.CapAdd ?? []).join(',') || 'none'})`,
    );
  if (!sameSet(host.SecurityOpt, SECURITY_OPT))
    differences.push(`security options ${(host.SecurityOpt ?? []).join(',') || 'none'}`);
  if (host.Privileged) differences.push('privileged mode');
  if ((host.NetworkMode ?? 'default') !== spec.network)
    differences.push(`network ${host.NetworkMode || 'default'} instead of ${spec.network}`);
  for (const mode of ['PidMode', 'IpcMode', 'UsernsMode'] as const)
    if (host[mode] === 'host') differences.push(`${mode} host`);
  return differences;
}
