// The drain helpers live in src/shared, where the GitHub API proxy reaches them too.
export { closeConnections, withinMs } from "../../shared/index.ts";
