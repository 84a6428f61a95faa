/**
 * The sandbox's configuration: defaults (config/model.ts), the JSON config file validated field by
 * field with messages that name the file and the exact path of the bad value (config/json-fields.ts,
 * config/sections.ts), and the merge of defaults ← file ← command-line flags (config/load.ts).
 */
export * from './config/model.js';
export { suggest } from './config/json-fields.js';
export { CONFIG_KEYS, symbolTemplate } from './config/sections.js';
export { loadConfigFile, resolveConfig, validateConfig } from './config/load.js';
