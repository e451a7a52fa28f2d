/** The content as bytes without copying a buffer: offsets into raw files are byte offsets. */
export function asBuffer(content: string | Uint8Array): Buffer {
  return typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}
