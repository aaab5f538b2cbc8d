// The `docker run` command the reference builds for a JSON `container` server (gateway.md §2.6):
// fixed environment flags, then entrypoint, mounts, env, the user's extra docker flags, the
// image, and the entrypoint's arguments. Env entries keep config order (the reference's order is
// Go map order, i.e. unspecified).

export interface ContainerSpec {
  container: string;
  entrypoint?: string;
  entrypointArgs?: readonly string[];
  mounts?: readonly string[];
  /** `""` passes the gateway's own value through (`-e KEY`); anything else is set (`-e KEY=VALUE`). */
  env?: Readonly<Record<string, string>>;
  /** Extra `docker run` flags, placed before the image. */
  args?: readonly string[];
}

export const DOCKER_COMMAND = "docker";

export function dockerRunArgs(spec: ContainerSpec): string[] {
  const args = ["run", "--rm", "-i", "-e", "NO_COLOR=1", "-e", "TERM=dumb", "-e", "PYTHONUNBUFFERED=1"];
  if (spec.entrypoint !== undefined) args.push("--entrypoint", spec.entrypoint);
  for (const mount of spec.mounts ?? []) args.push("-v", mount);
  for (const [key, value] of Object.entries(spec.env ?? {})) args.push("-e", value === "" ? key : `${key}=${value}`);
  args.push(...(spec.args ?? []), spec.container, ...(spec.entrypointArgs ?? []));
  return args;
}
