// Dev-only packages that ship no type declarations.
declare module "dynalite" {
  import type { Server } from "node:http";
  export default function dynalite(options?: {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    path?: string;
  }): Server;
}

declare module "asl-validator" {
  export default function validator(definition: unknown): { isValid: boolean; errors: unknown[] };
}
