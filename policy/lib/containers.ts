import { type Parsed, parseJson, type Props, rec, str } from "./values";

/** One container definition of a task definition. */
export interface Container {
  name: string;
  def: Props;
}

/** The task definition's containers: `containerDefinitions` is a JSON array (a string, as the provider takes it). */
export function containersOf(props: Props): Parsed<Container[]> {
  const parsed = parseJson(props.containerDefinitions);
  if (!parsed.ok) return { ok: false, error: `containerDefinitions is ${parsed.error}; expected a JSON array of container definitions.` };
  if (!Array.isArray(parsed.value))
    return { ok: false, error: "containerDefinitions is not a JSON array; expected a JSON array of container definitions." };
  return { ok: true, value: parsed.value.map((c, i) => ({ name: str(rec(c)?.name) ?? `#${i + 1}`, def: rec(c) ?? {} })) };
}
