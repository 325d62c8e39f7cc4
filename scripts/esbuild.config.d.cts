import type { BuildOptions } from "esbuild";
declare const config: { (): BuildOptions; bundleOptions: BuildOptions & { format: "esm"; platform: "node" } };
export = config;
