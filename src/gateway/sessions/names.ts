// Unified mode puts every backend's tools, prompts and resources in one namespace by prefixing
// them with "<serverID>___", the reference's separator for tools. The server id is recovered by
// cutting at the first separator, so backend names may themselves contain it.

export const NAME_SEPARATOR = "___";

export function qualify(serverId: string, name: string): string {
  return `${serverId}${NAME_SEPARATOR}${name}`;
}

export function unqualify(qualified: string): { serverId: string; name: string } | undefined {
  const at = qualified.indexOf(NAME_SEPARATOR);
  if (at <= 0) return undefined;
  return { serverId: qualified.slice(0, at), name: qualified.slice(at + NAME_SEPARATOR.length) };
}
