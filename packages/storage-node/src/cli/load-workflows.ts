/**
 * `--workflows <module>`: the workflows (and agents) a command may drive. The module is imported
 * by file URL (so Windows paths and spaces work) and may export them as named exports, as an
 * array, as an object of them, or as its default export; an agent counts as its workflow.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StorageUnavailableError, type Workflow } from '@cairn/core';
import { UsageError } from './cli-errors.ts';

function isWorkflow(value: unknown): value is Workflow {
  const candidate = value as { name?: unknown; fn?: unknown } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.fn === 'function'
  );
}

// An Agent (`new Agent(…)` / `createAgent`) carries its workflow.
function workflowOf(value: unknown): Workflow | undefined {
  if (isWorkflow(value)) return value;
  const agent = value as { workflow?: unknown; run?: unknown } | null;
  if (typeof agent === 'object' && agent !== null && typeof agent.run === 'function' && isWorkflow(agent.workflow))
    return agent.workflow;
  return undefined;
}

function collect(value: unknown, into: Workflow[], depth: number): void {
  const workflow = workflowOf(value);
  if (workflow) into.push(workflow);
  else if (Array.isArray(value)) for (const item of value) collect(item, into, depth);
  else if (depth > 0 && typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    for (const item of Object.values(value)) collect(item, into, depth - 1);
}

/** Import `path` and return the workflows it exports (one per name). */
export async function loadWorkflows(path: string): Promise<Workflow[]> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`--workflows: no module at ${JSON.stringify(path)}`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new StorageUnavailableError(
      `[@cairn/storage-node] --workflows: importing ${JSON.stringify(path)} failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const found: Workflow[] = [];
  for (const value of Object.values(module)) collect(value, found, 1);
  const byName = new Map<string, Workflow>();
  for (const workflow of found) {
    const seen = byName.get(workflow.name);
    if (seen && seen !== workflow)
      throw new UsageError(`--workflows: ${JSON.stringify(path)} exports two workflows named "${workflow.name}"`);
    byName.set(workflow.name, workflow);
  }
  if (byName.size === 0) {
    throw new UsageError(
      `--workflows: ${JSON.stringify(path)} exports no workflows (export Workflow objects or agents, by name, in an array, or as the default export)`,
    );
  }
  return [...byName.values()];
}
