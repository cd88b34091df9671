// The WebAssembly JS API as Node provides it. TypeScript ships these types only
// in the DOM lib, which would also pull in browser globals; we declare what we use.
declare namespace WebAssembly {
  interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  type ImportValue = Function | Memory | Global | Table | number;
  type Imports = Record<string, Record<string, ImportValue>>;
  class Module {
    constructor(bytes: BufferSource);
    static validate(bytes: BufferSource): boolean;
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, Function | Memory | Global | Table>;
  }
  class Global {
    constructor(descriptor: { value: string; mutable?: boolean }, value?: number | bigint);
    value: number | bigint;
  }
  class Table {
    constructor(descriptor: { element: string; initial: number; maximum?: number });
    readonly length: number;
    get(index: number): Function | null;
    set(index: number, value: Function | null): void;
    grow(delta: number): number;
  }
  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}
  function validate(bytes: BufferSource): boolean;
  function compile(bytes: BufferSource): Promise<Module>;
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}
