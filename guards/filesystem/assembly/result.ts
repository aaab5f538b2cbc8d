// The text of a tool result, as the gateway reads it.

import { JsonValue } from "./json";

/** The answer's text: every text item of content joined, as the gateway reads it. */
export function resultText(result: JsonValue): string {
  const content = result.get("content");
  if (content == null || !content.isArray()) return "";
  const parts: string[] = [];
  for (let i = 0; i < content.items.length; i++) {
    const item = content.items[i];
    const type = item.get("type");
    const text = item.get("text");
    if (type != null && type.isString() && type.str != "text") continue;
    if (text != null && text.isString()) parts.push(text.str);
  }
  return parts.join("");
}
