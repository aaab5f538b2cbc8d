/**
 * Error texts of the enforcement pipeline that the client sees, kept beside the engine so every
 * layer words them the same way.
 */

export function guardInitFailedError(detail: string): string {
  return `guard session initialization failed: ${detail}`;
}

export function guardLabelingFailedError(detail: string): string {
  return `guard labeling failed: resource labeling failed: ${detail}`;
}

/** The reference repeats the prefix (`response labeling failed: response labeling failed: …`); flowgate says it once. */
export function responseLabelingFailedError(detail: string): string {
  return `response labeling failed: ${detail}`;
}
