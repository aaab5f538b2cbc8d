// npm run demo:attack: plays the attack in filter and propagate mode; exits 0 only when every
// leak was blocked in both.
import { playAttack } from "./attack.ts";

let leaked = false;
for (const mode of ["filter", "propagate"] as const) {
  const report = await playAttack(mode, (line) => console.log(line));
  if (report.leaks.length > 0) leaked = true;
}
process.exitCode = leaked ? 1 : 0;
