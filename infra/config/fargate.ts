/** Fargate task sizes: CPU units and the memory (MiB) each accepts, as AWS documents them. */
const FARGATE_MEMORY: Record<number, readonly number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

export const FARGATE_CPU_UNITS: readonly number[] = Object.keys(FARGATE_MEMORY).map(Number);

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** The memory values Fargate accepts with `cpu`, or undefined when `cpu` itself is not a Fargate size. */
export function fargateMemoryFor(cpu: number): readonly number[] | undefined {
  return FARGATE_MEMORY[cpu];
}

/** "512, 1024 or 2048", or a range with its step when the list is long. */
export function describeMemory(cpu: number): string {
  const values = FARGATE_MEMORY[cpu] ?? [];
  if (values.length <= 4) return orList(values);
  const step = values[1] - values[0];
  return `${values[0]} to ${values[values.length - 1]} in steps of ${step}`;
}

export function orList(values: readonly (string | number)[]): string {
  if (values.length <= 1) return values.join("");
  return `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
}
