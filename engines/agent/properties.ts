/**
 * Reads the subset of the Java `.properties` format that Flume configuration files use: one
 * `key = value` (or `key: value`) per line, `#`/`!` comments, blank lines, and a trailing backslash
 * to continue a long value on the next line. Later keys win, as in `java.util.Properties`.
 */

export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? "").trimStart();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    // A value may run over several lines when each but the last ends in an unescaped backslash.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      i++;
      line = line.slice(0, -1) + (lines[i] ?? "").trimStart();
    }
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m === null) {
      out.set(line.trim(), "");
      continue;
    }
    out.set(m[1] ?? "", (m[2] ?? "").trim());
  }
  return out;
}
