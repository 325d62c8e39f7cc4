import type { Image } from "./image.js";

/**
 * Facts a cloud gives about an image beyond the contract's `Image` (which stays exactly as
 * specified): kept beside the object in a WeakMap, so they never leak into a JSON answer.
 * Normalizers record them; the audit reads them.
 */
export interface ImageFacts {
  /** end of life of the OS, as the provider states it (ISO date) */
  eolDate?: string;
  /** the provider's lifecycle phase, e.g. NCP serverImageLifeCyclePhase */
  lifecycle?: string;
  /** how many other accounts/login ids the image is shared with */
  sharedWith?: number;
  /** whom, where the list names them (NCP sharedLoginIdList) */
  sharedWithIds?: string[];
  /** of those, whom no share operation or policy of imageops recorded (set by the audit) */
  sharedByHand?: string[];
}

const facts = new WeakMap<Image, ImageFacts>();

export function setFacts(image: Image, value: ImageFacts): Image {
  facts.set(image, value);
  return image;
}

export function factsOf(image: Image): ImageFacts {
  return facts.get(image) ?? {};
}
