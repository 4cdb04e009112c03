// One connection per Docker engine, shared by everything that talks to agents' containers.
import type Docker from 'dockerode';
import type { EngineChoice } from './container-agent.js';
import { connectEngine, describeEngine, resolveEngine, type EngineTarget } from './engine.js';

/** An open engine and how it is written in messages and records. */
export interface EngineHandle {
  docker: Docker;
  target: EngineTarget;
  where: string;
  engine?: EngineChoice;
}

export class EnginePool {
  private readonly engines = new Map<string, Promise<EngineHandle>>();

  /** The engine's connection, opened on first use. */
  get(engine?: EngineChoice): Promise<EngineHandle> {
    const target = resolveEngine(engine);
    const where = describeEngine(target);
    let promise = this.engines.get(where);
    if (!promise) {
      promise = connectEngine(engine).then((docker) => ({ docker, target, where, engine }));
      // A failed connection is not cached: the next call tries again (the engine may have started since).
      promise.catch(() => this.engines.delete(where));
      this.engines.set(where, promise);
    }
    return promise;
  }

  /**
   * The default engine, `engines`, and every engine used so far. An engine that does not answer is skipped
   * unless none answers.
   */
  async all(engines: Array<EngineChoice | undefined>): Promise<EngineHandle[]> {
    const wanted = new Map<string, EngineChoice | undefined>();
    for (const engine of [undefined, ...engines]) wanted.set(describeEngine(resolveEngine(engine)), engine);
    const handles: EngineHandle[] = [];
    const errors: unknown[] = [];
    for (const [key, engine] of wanted) {
      const existing = this.engines.get(key);
      try {
        handles.push(await (existing ?? this.get(engine)));
      } catch (error) {
        errors.push(error);
      }
    }
    for (const promise of this.engines.values()) {
      const handle = await promise.catch(() => undefined);
      if (handle && !handles.includes(handle)) handles.push(handle);
    }
    if (handles.length === 0 && errors.length) throw errors[0];
    return handles;
  }
}
