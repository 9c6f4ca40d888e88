import * as T from '@llm-streamline/tensor';
import { Variable } from '../variable.js';

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /**
   * Throw when the checkpoint lacks a key the model has, or has a key the model lacks (default
   * true). Shape mismatches always throw: a half-loaded model is never what anyone wants.
   */
  strict?: boolean;
}

/** What {@link Module.loadStateDict} did not match (both empty after a strict load). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A non-trainable tensor a module owns (e.g. RoPE frequencies), saved in the state dict when persistent. */
interface BufferEntry {
  tensor: T.Tensor;
  persistent: boolean;
}

/**
 * Base class of neural-network modules, after `torch.nn.Module`: a tree of modules whose leaves
 * own parameters. Parameters and children are registered under explicit names — the Hugging Face
 * checkpoint names (`gate_proj`, `input_layernorm`), which need not match the TypeScript property
 * names — so `namedParameters()` yields dotted names like `layers.0.mlp.gate_proj.weight` that
 * line up with safetensors files.
 *
 * Parameters are leaf {@link Variable}s with `requiresGrad` (unless frozen); their tensors are
 * kept out of every scope and live until {@link Module.dispose}. Optimisers update them in place
 * with `Tensor.assign`, so the tensors `stateDict()` returns stay valid.
 *
 * Subclasses define their own `forward` (its signature varies: ids for an embedding, a variable
 * for a layer).
 */
export class Module {
  /** Training or evaluation mode (set recursively by {@link train} / {@link eval}). */
  training = true;
  private readonly ownParameters = new Map<string, Variable>();
  private readonly ownBuffers = new Map<string, BufferEntry>();
  private readonly children = new Map<string, Module>();

  /** Registers a trainable tensor under `name` and returns it as a leaf variable that requires grad. */
  registerParameter(name: string, value: T.Tensor): Variable {
    this.checkName(name);
    const v = new Variable(T.keep(value), true);
    v.name = name;
    this.ownParameters.set(name, v);
    return v;
  }

  /**
   * Registers a tensor the module owns but does not train. Persistent buffers go into the state
   * dict; non-persistent ones (derived values such as RoPE frequencies, as in HF) do not.
   */
  registerBuffer(name: string, value: T.Tensor, { persistent = true } = {}): T.Tensor {
    this.checkName(name);
    this.ownBuffers.set(name, { tensor: T.keep(value), persistent });
    return value;
  }

  /** Registers a child module under `name` (its parameters get the prefix `name.`). */
  registerModule<M extends Module>(name: string, module: M): M {
    this.checkName(name);
    this.children.set(name, module);
    return module;
  }

  /**
   * Replaces the child registered as `name` and returns the old one (not disposed: the caller
   * decides, e.g. when swapping a pruned block for a lightweight replacement).
   */
  replaceModule<M extends Module>(name: string, module: M): Module {
    const old = this.children.get(name);
    if (!old)
      throw new Error(
        `replaceModule: no child '${name}' (children: ${[...this.children.keys()].join(', ') || 'none'})`,
      );
    this.children.set(name, module);
    return old;
  }

  /** The direct children with their names. ModuleList overrides this to number its items. */
  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  /** This module and every descendant, with dotted paths ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren())
      out.push(...child.namedModules(join(prefix, name)));
    return out;
  }

  /**
   * Every parameter with its dotted name, depth first in registration order. A parameter shared
   * by two modules (tied weights) is listed once, under its first name. Also sets each
   * variable's `name`, so errors and optimiser messages can name it.
   */
  namedParameters(): [string, Variable][] {
    const seen = new Set<Variable>();
    const out: [string, Variable][] = [];
    for (const [path, m] of this.namedModules()) {
      for (const [name, v] of m.ownParameters) {
        if (seen.has(v)) continue;
        seen.add(v);
        const full = join(path, name);
        v.name = full;
        out.push([full, v]);
      }
    }
    return out;
  }

  /** Every parameter (each shared one once): what an optimiser is given. */
  parameters(): Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  /** Every buffer with its dotted name. */
  namedBuffers(): [string, T.Tensor][] {
    const out: [string, T.Tensor][] = [];
    for (const [path, m] of this.namedModules())
      for (const [name, b] of m.ownBuffers) out.push([join(path, name), b.tensor]);
    return out;
  }

  /**
   * Parameters and persistent buffers by dotted name (tied parameters under each of their
   * names, as PyTorch does). The tensors are the module's own, not copies: read or save them,
   * but do not dispose them.
   */
  stateDict(): Map<string, T.Tensor> {
    const out = new Map<string, T.Tensor>();
    for (const [path, m] of this.namedModules()) {
      for (const [name, v] of m.ownParameters) out.set(join(path, name), v.value);
      for (const [name, b] of m.ownBuffers) if (b.persistent) out.set(join(path, name), b.tensor);
    }
    return out;
  }

  /**
   * Copies values into the parameters and persistent buffers by name. The new values share the
   * given tensors' storage (tensors are immutable, so this is safe and costs no copy); other
   * dtypes are converted to the parameter's. Every shape is checked before anything is loaded,
   * and the error names each offending key.
   */
  loadStateDict(
    state: ReadonlyMap<string, T.Tensor>,
    { strict = true }: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    const own = this.stateDict();
    const missingKeys = [...own.keys()].filter((k) => !state.has(k));
    const unexpectedKeys = [...state.keys()].filter((k) => !own.has(k));
    const misShaped: string[] = [];
    for (const [key, target] of own) {
      const source = state.get(key);
      if (source && !sameShape(source.shape, target.shape)) {
        misShaped.push(
          `${key}: checkpoint ${T.formatShape(source.shape)} vs model ${T.formatShape(target.shape)}`,
        );
      }
    }
    const problems: string[] = [];
    if (misShaped.length > 0) problems.push(`shape mismatch for ${misShaped.join('; ')}`);
    if (strict && missingKeys.length > 0) problems.push(`missing keys: ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length > 0)
      problems.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    if (problems.length > 0)
      throw new Error(`loadStateDict: ${problems.join('. ')} (nothing was loaded)`);

    for (const [key, target] of own) {
      const source = state.get(key);
      if (!source) continue;
      const converted = T.cast(source, target.dtype);
      target.assign(converted);
      converted.dispose();
    }
    return { missingKeys, unexpectedKeys };
  }

  /** Sets training mode here and in every descendant (no module here behaves differently yet; subclasses may). */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Stops gradients to every parameter (their grads are cleared): the frozen part of a model. */
  freeze(): this {
    for (const v of this.parameters()) {
      v.requiresGrad = false;
      v.zeroGrad();
    }
    return this;
  }

  /** Makes every parameter trainable again. */
  unfreeze(): this {
    for (const v of this.parameters()) v.requiresGrad = true;
    return this;
  }

  /** Drops every parameter's gradient (optimisers do this too). */
  zeroGrad(): void {
    for (const v of this.parameters()) v.zeroGrad();
  }

  /** Number of parameter elements (each shared parameter counted once). */
  parameterCount(): number {
    return this.parameters().reduce((n, v) => n + v.value.size, 0);
  }

  /** Frees every parameter, gradient and buffer of the tree. The module cannot be used afterwards. */
  dispose(): void {
    for (const [, m] of this.namedModules()) {
      for (const v of m.ownParameters.values()) v.dispose();
      for (const b of m.ownBuffers.values()) b.tensor.dispose();
    }
  }

  [T.heldTensors](): T.Tensor[] {
    const out: T.Tensor[] = [];
    for (const v of this.parameters()) out.push(...v[T.heldTensors]());
    for (const [, b] of this.namedBuffers()) out.push(b);
    return out;
  }

  private checkName(name: string): void {
    if (name === '' || name.includes('.'))
      throw new RangeError(`Module: name '${name}' must be non-empty and contain no '.'`);
    if (this.ownParameters.has(name) || this.ownBuffers.has(name) || this.children.has(name)) {
      throw new Error(`Module: '${name}' is already registered on ${this.constructor.name}`);
    }
  }
}

/**
 * An indexed list of modules (a decoder's `layers`): item i is named `i`, so its parameters are
 * `layers.i.…`. Splicing renumbers the items, as removing layers from a model should.
 */
export class ModuleList<M extends Module = Module> extends Module {
  private items: M[];

  constructor(items: Iterable<M> = []) {
    super();
    this.items = [...items];
  }

  get length(): number {
    return this.items.length;
  }

  /** Item `i` (negative counts from the end); throws when out of range. */
  at(i: number): M {
    const item = this.items.at(i);
    if (!item)
      throw new RangeError(`ModuleList: index ${i} is out of range for ${this.items.length} items`);
    return item;
  }

  push(...items: M[]): void {
    this.items.push(...items);
  }

  /** Array.splice: removes `deleteCount` items at `start` (returned, not disposed) and inserts `items`. */
  splice(start: number, deleteCount: number, ...items: M[]): M[] {
    return this.items.splice(start, deleteCount, ...items);
  }

  override namedChildren(): [string, Module][] {
    return this.items.map((m, i) => [String(i), m]);
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
