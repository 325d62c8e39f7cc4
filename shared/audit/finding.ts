import type { Image, ProviderName } from "../model/image.js";
import type { AuditConfig } from "./config.js";

export type Severity = "info" | "warning" | "critical";

export interface Finding {
  rule: string;
  severity: Severity;
  provider: ProviderName;
  account: string;
  region: string;
  imageId: string;
  imageName: string;
  message: string;
}

/** A rule is a pure function: (images, config) → findings. */
export type Rule = (images: Image[], config: AuditConfig) => Finding[];

export function finding(rule: string, severity: Severity, image: Image, message: string): Finding {
  return {
    rule,
    severity,
    provider: image.provider,
    account: image.account,
    region: image.region,
    imageId: image.id,
    imageName: image.name,
    message,
  };
}

export const DAY_MS = 86_400_000;

export function ageMs(image: Image, now: number): number | undefined {
  if (!image.createdAt) return undefined;
  const at = Date.parse(image.createdAt);
  return Number.isNaN(at) ? undefined : now - at;
}
