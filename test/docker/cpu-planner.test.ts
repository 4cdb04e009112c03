import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCpuList, parseCpuList, planCpusets, readCpuTopology, validateCpusets } from '../../docker/index.js';
import { makeTempDir } from '../helpers/cli.js';

/** A fake /sys/devices/system/cpu: `cores` physical cores with `threads` SMT siblings each (Linux numbering: sibling of cpu i is i + cores). */
function fakeSysfs(cores: number, threads: number, options: { online?: string; noTopology?: boolean } = {}): string {
  const root = makeTempDir('cpu-topology-');
  const total = cores * threads;
  fs.writeFileSync(path.join(root, 'online'), `${options.online ?? `0-${total - 1}`}\n`);
  for (let cpu = 0; cpu < total; cpu++) {
    const dir = path.join(root, `cpu${cpu}`, 'topology');
    fs.mkdirSync(dir, { recursive: true });
    if (options.noTopology) continue;
    const core = cpu % cores;
    const siblings = Array.from({ length: threads }, (_, t) => core + t * cores);
    fs.writeFileSync(path.join(dir, 'thread_siblings_list'), `${formatCpuList(siblings)}\n`);
    fs.writeFileSync(path.join(dir, 'core_id'), `${core}\n`);
  }
  return root;
}

describe('CPU lists', () => {
  it('parses and formats the Linux CPU list format', () => {
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(formatCpuList([11, 0, 1, 2, 3, 8, 10])).toBe('0-3,8,10-11');
    expect(() => parseCpuList('2-x')).toThrow('"2-x" is not a CPU list');
    expect(() => parseCpuList('3-1')).toThrow('descending range 3-1');
  });
});

describe('readCpuTopology', () => {
  it('groups SMT siblings into physical cores', () => {
    const topology = readCpuTopology(fakeSysfs(4, 2));
    expect(topology.cpus).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(topology.cores).toEqual([
      [0, 4],
      [1, 5],
      [2, 6],
      [3, 7],
    ]);
  });

  it('ignores offline CPUs and treats CPUs without topology as their own core', () => {
    expect(readCpuTopology(fakeSysfs(4, 2, { online: '0-5' })).cores).toEqual([[0, 4], [1, 5], [2], [3]]);
    expect(readCpuTopology(fakeSysfs(3, 1, { noTopology: true })).cores).toEqual([[0], [1], [2]]);
  });

  it('reads this host', () => {
    const topology = readCpuTopology();
    expect(topology.cpus.length).toBeGreaterThan(0);
    expect(topology.cores.flat().sort((a, b) => a - b)).toEqual(topology.cpus);
  });
});

describe('planCpusets', () => {
  const smt = readCpuTopology(fakeSysfs(8, 2)); // 16 CPUs, siblings i and i+8

  it('keeps the first core for the system and the orchestrator and gives each worker its own CPUs', () => {
    const plan = planCpusets({ workers: 7, topology: smt });
    expect(plan.system).toBe('0,8');
    expect(plan.orchestrator).toBe('0,8');
    expect(plan.workers).toHaveLength(7);
    const all = plan.workers.flatMap(parseCpuList);
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain(0);
    expect(all).not.toContain(8);
  });

  it('gives whole physical cores when asked, so no two workers share a core', () => {
    const plan = planCpusets({ workers: 3, wholeCores: true, reserveSystem: 1, topology: smt });
    expect(plan.workers).toEqual(['1-2,9-10', '3-4,11-12', '5-6,13-14']);
    const one = planCpusets({ workers: 7, wholeCores: true, perWorker: 1, topology: smt });
    expect(one.workers[0]).toBe('1,9');
    expect(one.workers[6]).toBe('7,15');
  });

  it('rejects plans the host cannot hold, saying what is available', () => {
    expect(() => planCpusets({ workers: 8, wholeCores: true, topology: smt })).toThrow(
      'cannot give 8 workers 1 dedicated physical core each: 7 physical cores left after reserving 1 core for the system',
    );
    expect(() => planCpusets({ workers: 1, reserveSystem: 8, topology: smt })).toThrow('only 8 physical cores');
    expect(() => planCpusets({ workers: 0, topology: smt })).toThrow('workers must be a positive whole number');
  });
});

describe('validateCpusets', () => {
  const topology = readCpuTopology(fakeSysfs(4, 1));

  it('accepts disjoint cpusets and agents without one', () => {
    expect(() =>
      validateCpusets([{ id: 'W0' }, { id: 'W1', cpuset: '1' }, { id: 'W2', cpuset: '2-3' }], topology),
    ).not.toThrow();
  });

  it('rejects overlaps, naming both agents and the CPU', () => {
    expect(() =>
      validateCpusets(
        [
          { id: 'W1', cpuset: '1-2' },
          { id: 'W2', cpuset: '2-3' },
        ],
        topology,
      ),
    ).toThrow('agents W1 and W2 both use CPU 2 (cpusets "1-2" and "2-3"); give each agent its own CPUs');
  });

  it('rejects CPUs the host does not have', () => {
    expect(() => validateCpusets([{ id: 'W3', cpuset: '3-5' }], topology)).toThrow(
      'agent W3: cpuset "3-5" names CPU 4-5, but this host has CPUs 0-3',
    );
  });
});
