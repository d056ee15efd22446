/**
 * WebGPU in Node through Dawn (use the GPU when there is one). The npm `webgpu` package exposes Dawn's `navigator.gpu`;
 * tfjs' webgpu backend registers itself on import only when `navigator.gpu` exists, and asks for device features
 * as `['timestamp-query', ['bgra8unorm-storage']]` — a nested array a browser's WebIDL layer
 * stringifies but a native binding may reject — so the adapter is wrapped to pass a flat list.
 */

/** The slice of a WebGPU adapter this module touches. */
export interface GpuAdapterLike {
  requestDevice(descriptor?: { requiredFeatures?: Iterable<unknown> } & Record<string, unknown>): Promise<unknown>;
  readonly info?: { vendor?: string; architecture?: string; description?: string; device?: string };
}

/** The slice of `navigator.gpu` this module touches. */
export interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<GpuAdapterLike | null>;
}

/** The npm `webgpu` module (Dawn's Node bindings). */
export interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** Flattens `requiredFeatures` (['a', ['b']] → ['a', 'b']) and drops duplicates. */
export function flatFeatures(features: Iterable<unknown> | undefined): string[] | undefined {
  if (features === undefined) return undefined;
  const flat = [...features].flat(Infinity).map(String);
  return [...new Set(flat)];
}

/** An adapter whose requestDevice receives a flat feature list; everything else is the adapter's own. */
export function withFlatFeatures<A extends GpuAdapterLike>(adapter: A): A {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      if (property === "requestDevice") {
        return (descriptor: Parameters<GpuAdapterLike["requestDevice"]>[0] = {}) =>
          target.requestDevice({
            ...descriptor,
            ...(descriptor.requiredFeatures ? { requiredFeatures: flatFeatures(descriptor.requiredFeatures) } : {}),
          });
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A `navigator.gpu` whose adapters flatten their device features (see {@link withFlatFeatures}). */
export function flatFeatureGpu(gpu: GpuLike): GpuLike {
  return {
    requestAdapter: async (options) => {
      const adapter = await gpu.requestAdapter(options);
      return adapter === null ? null : withFlatFeatures(adapter);
    },
  };
}

/** Puts Dawn's WebGPU globals and `navigator.gpu` on globalThis, so tfjs-backend-webgpu registers on import. */
export function installNavigatorGpu(dawn: DawnModule, gpu: GpuLike = dawn.create([])): GpuLike {
  Object.assign(globalThis, dawn.globals);
  const scope = globalThis as { navigator?: object };
  const nav = (scope.navigator ??= {});
  const wrapped = flatFeatureGpu(gpu);
  Object.defineProperty(nav, "gpu", { value: wrapped, configurable: true });
  return wrapped;
}
