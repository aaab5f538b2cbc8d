/** `allow-only.repos` scopes: `owner/*`, `owner/repo` or `owner/prefix*`, lowercase. */

const OWNER = /^[a-z0-9_-]{1,39}$/;
const REPO = /^[a-z0-9_-]{1,100}\*?$/;

export function isValidRepoScope(scope: string): boolean {
  const parts = scope.split("/");
  if (parts.length !== 2) return false;
  const [owner = "", repo = ""] = parts;
  return OWNER.test(owner) && (repo === "*" || REPO.test(repo));
}

export function isValidOwner(owner: string): boolean {
  return OWNER.test(owner);
}

/** The secrecy tag an agent holds for a scope (and a write-sink must accept): `O/*` → `private:O`. */
export function privateScopeTag(scope: string): string {
  return scope.endsWith("/*") ? `private:${scope.slice(0, -2)}` : `private:${scope}`;
}
