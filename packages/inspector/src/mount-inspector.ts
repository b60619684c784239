/**
 * `mountInspector(element, { store })`: the inspector inside a page of your own, over a store the
 * page holds (IndexedDB). No server, no token: the page calls a runtime over the store directly.
 */
import { createRuntime, type DurableStore, type Runtime, type Workflow } from '@cairn/core';
import { createRuntimeBackend } from './runtime-backend.ts';
import { createInspectorApp, type InspectorApp, type InspectorAppOptions } from './ui/app.ts';

/** Options of `mountInspector`. */
export interface MountInspectorOptions extends InspectorAppOptions {
  /** The store to show (or pass `runtime`). */
  store?: DurableStore;
  /** A runtime of the page to act through (its workflows enable retry and fork). */
  runtime?: Runtime;
  /** Workflows for a runtime made here over `store` (retry, fork, approve-and-continue). */
  // biome-ignore lint/suspicious/noExplicitAny: workflows of any input and output types
  workflows?: Workflow<any, any>[];
}

/**
 * Mount the inspector in `element`; `destroy()` unmounts it (and closes a runtime it made).
 *
 * @example
 * const store = await createIndexedDbStore({ name: 'my-app' });
 * const inspector = mountInspector(document.getElementById('runs')!, { store });
 */
export function mountInspector(element: HTMLElement, options: MountInspectorOptions): InspectorApp {
  const owned = options.runtime
    ? undefined
    : options.store
      ? createRuntime({ store: options.store, workflows: options.workflows ?? [] })
      : undefined;
  const runtime = options.runtime ?? owned;
  if (!runtime) throw new Error('[@cairn/inspector] mountInspector needs { store } or { runtime }');
  const canDrive = options.runtime ? true : (options.workflows?.length ?? 0) > 0;
  const app = createInspectorApp(element, createRuntimeBackend(runtime, { canDrive }), options);
  return {
    show: app.show,
    destroy() {
      app.destroy();
      void owned?.close();
    },
  };
}
