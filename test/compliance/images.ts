/** Image names the docker stand-in knows; any other image does not exist, as `docker run` reports. */
export const IMAGES = {
  /** server-everything over stdio. */
  echo: "compliance/echo",
  /** Reads requests and never answers, not even initialize. */
  silent: "compliance/silent",
  /** server-everything that ignores SIGTERM and its stdin closing. */
  noterm: "compliance/noterm",
  /** server-everything whose every stdout write is split into 3 writes 100 ms apart. */
  chunky: "compliance/chunky",
  /** server-everything that writes only the first half of each tool result and then stalls. */
  half: "compliance/half",
  /** server-filesystem serving the directories given after the image. */
  filesystem: "compliance/filesystem",
} as const;
