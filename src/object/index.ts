// libbpf's job: ELF + BTF -> an inert ObjectSpec (programs, maps, relocations).
export * from './errors.js';
export * from './map_types.js';
export * from './prog_types.js';
export * from './section_defs.js';
export * from './maps.js';
export * from './object.js';
export * from './kconfig.js';
