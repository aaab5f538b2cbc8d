import { buildGuards } from "../../scripts/build-guards.ts";

export default async function setup(): Promise<void> {
  await buildGuards();
}
