/** Types of scripts/build.mjs for the TypeScript benchmark scripts that call it. */
export function build(): Promise<{ cli: unknown; server: unknown; ms: number }>;
